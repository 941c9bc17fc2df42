using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion;

/// <summary>
/// The real app on a real SQLite file: teams payments (payments-api, ledger) and search (search-api), and keys.
/// </summary>
public sealed class IngestionFixture : IAsyncLifetime
{
    public const string GitHubSecret = "fixture github webhook secret";
    public const string PagerDutySecret = "fixture pagerduty webhook secret";

    public ReleaseBoardAppFactory App { get; } = new();
    public HttpClient Payments { get; private set; } = null!;
    public HttpClient Search { get; private set; } = null!;
    public HttpClient AllTeams { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            foreach (
                var (team, services) in new[]
                {
                    ("payments", new[] { "payments-api", "ledger" }),
                    ("search", new[] { "search-api" }),
                    ("quiet", new[] { "quiet-api" }),
                }
            )
            {
                var entity = new Team
                {
                    Slug = team,
                    Name = team,
                    TimeZoneId = "Europe/Berlin",
                    CreatedAt = DateTime.UtcNow,
                };
                foreach (var slug in services)
                {
                    var service = new Service
                    {
                        Slug = slug,
                        Name = slug,
                        Team = entity,
                        Repository = slug == "payments-api" ? "acme/payments-api" : null,
                        PagerDutyServiceId = slug == "payments-api" ? "PF9KMXH" : null,
                    };
                    db.AddRange(
                        new ServiceEnvironment
                        {
                            Name = "dev",
                            Order = 0,
                            Service = service,
                            PromotionMode = PromotionMode.Continuous,
                        },
                        new ServiceEnvironment
                        {
                            Name = "staging",
                            Order = 1,
                            Service = service,
                        },
                        new ServiceEnvironment
                        {
                            Name = "production",
                            Order = 2,
                            IsProduction = true,
                            Service = service,
                        }
                    );
                }
            }
            await db.SaveChangesAsync();
        }
        // The webhooks' secrets speak for team payments, whose payments-api has the repository and PagerDuty id.
        var webhooks = App.Services.GetRequiredService<ReleaseBoard.Web.Features.Ingestion.Webhooks.WebhookSecrets>();
        Assert.True(
            (
                await webhooks.AddAsync(WebhookTool.GitHub, null, null, "payments", GitHubSecret, AuditActor.System)
            ).Succeeded
        );
        Assert.True(
            (
                await webhooks.AddAsync(
                    WebhookTool.PagerDuty,
                    null,
                    null,
                    "payments",
                    PagerDutySecret,
                    AuditActor.System
                )
            ).Succeeded
        );
        var keys = App.Services.GetRequiredService<ApiKeyService>();
        Payments = Client((await keys.CreateAsync("payments-ci", "payments", false, AuditActor.System)).Value);
        Search = Client((await keys.CreateAsync("search-ci", "search", false, AuditActor.System)).Value);
        AllTeams = Client((await keys.CreateAsync("incident-tool", null, true, AuditActor.System)).Value);
        Anonymous = Client(null);
    }

    private HttpClient Client(string? key) => App.CreateApiClient(key);

    public async Task<ReleaseBoardDbContext> DbAsync() =>
        await App.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { Payments, Search, AllTeams, Anonymous })
            client?.Dispose();
        await App.DisposeAsync();
    }
}
