using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Dispatch;

/// <summary>The running app does it by itself: a pipeline reports staging, production's receiver is called.</summary>
public sealed class DispatchAppTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _ci = null!;
    private int _productionId;

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var team = new Team
            {
                Slug = "flow",
                Name = "Flow",
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            };
            var service = new Service
            {
                Slug = "flow-api",
                Name = "flow-api",
                Team = team,
            };
            var production = new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                Service = service,
                PromotionMode = PromotionMode.Continuous,
                SoakMinutes = 0,
            };
            db.AddRange(
                new ServiceEnvironment
                {
                    Name = "staging",
                    Order = 0,
                    Service = service,
                },
                production
            );
            await db.SaveChangesAsync(Ct);
            _productionId = production.Id;
        }
        var key = await _app
            .Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("flow-ci", "flow", false, AuditActor.System, Ct);
        _ci = _app.CreateApiClient(key.Value);
    }

    public async ValueTask DisposeAsync()
    {
        _ci.Dispose();
        await _app.DisposeAsync();
    }

    private Task<ReleaseBoardDbContext> DbAsync() =>
        _app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    [Fact]
    public async Task A_deployment_reported_to_staging_is_promoted_to_production_by_ReleaseBoard_within_seconds()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var target = await _app
            .Services.GetRequiredService<DispatchTargets>()
            .SetHttpAsync(AuditActor.System, _productionId, receiver.Url, "a signing secret of the receiver", Ct);
        Assert.True(target.Succeeded, target.Error);

        var reported = await _ci.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "flow-api",
                environment = "staging",
                version = "2.0.0",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                finishedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                outcome = "succeeded",
                source = "ci",
                externalId = "2.0.0-staging",
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
        await Eventually.AssertAsync(() => Assert.Single(receiver.Requests), timeoutMilliseconds: 15_000);
        await Eventually.AssertAsync(async () =>
        {
            await using var db = await DbAsync();
            Assert.Equal(OutboxState.Sent, (await db.OutboxMessages.SingleAsync(Ct)).State);
        });
        Assert.Contains("\"version\":\"2.0.0\"", Assert.Single(receiver.Requests).Body);
    }

    [Fact]
    public async Task An_incident_posted_to_the_API_pauses_and_reaches_the_teams_Slack_channel_within_seconds()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        int teamId;
        await using (var db = await DbAsync())
            teamId = await db.Teams.Where(t => t.Slug == "flow").Select(t => t.Id).SingleAsync(Ct);
        var added = await _app
            .Services.GetRequiredService<NotificationTargets>()
            .AddAsync(
                AuditActor.System,
                teamId,
                NotificationKind.Slack,
                "#flow",
                receiver.BaseUrl + "/services/T0/B0/x",
                ["paused-by-incident"],
                null,
                Ct
            );
        Assert.True(added.Succeeded, added.Error);

        var posted = await _ci.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "flow-api",
                severity = 1,
                title = "Checkout fails",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                externalId = "inc-1",
            },
            Ct
        );

        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync(Ct));
        await Eventually.AssertAsync(() => Assert.Single(receiver.Requests), timeoutMilliseconds: 15_000);
        Assert.Contains("Incident opened (severity 1): Checkout fails", Assert.Single(receiver.Requests).Body);
    }
}
