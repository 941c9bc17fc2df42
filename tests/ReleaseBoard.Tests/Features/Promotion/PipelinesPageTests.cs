using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Promotion.Pipelines;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>
/// The pipelines page's buttons are shown by the sign-in's claims, but what a click does is decided on the server from
/// the store at that moment: an Approver demoted after the page loaded still sees Pause and changes nothing with it.
/// The page runs on the real app's services (store, Identity, promotion), with bUnit's sign-in.
/// </summary>
public class PipelinesPageTests : AppBunitContext
{
    private int _productionId;
    private Bunit.TestDoubles.BunitAuthorizationContext _auth = null!;

    public override async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var team = new Team
            {
                Slug = "ops",
                Name = "Ops",
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            };
            var service = new Service
            {
                Slug = "svc",
                Name = "svc",
                Team = team,
            };
            var production = new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                RequiredApprovals = 2,
                Service = service,
                PromotionMode = PromotionMode.Continuous,
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
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
            _productionId = production.Id;
        }
        Assert.True(
            (
                await App
                    .Services.GetRequiredService<UserAdministration>()
                    .CreateAsync("ben@example.test", Roles.Approver, "a long enough passphrase", AuditActor.System)
            ).Succeeded
        );

        _auth = UseAppServices();
    }

    private Task SignInAsBenAsync() =>
        SignInAsync(_auth, "ben@example.test", Roles.Approver, Policies.Record, Policies.View);

    private async Task<IRenderedComponent<PipelinesPage>> PauseProductionAsync()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/pipelines?team=ops");
        var page = Render<PipelinesPage>();
        page.WaitForElement("[data-testid=stage-svc-production] [data-testid=pause]").Click();
        page.WaitForElement("[data-testid=stage-svc-production] input[data-testid=reason]").Change("latency looks odd");
        await page.Find("[data-testid=stage-svc-production] [data-testid=confirm]").ClickAsync(new());
        return page;
    }

    private async Task<(PromotionMode Mode, int PauseEntries)> ProductionAsync()
    {
        await using var db = await DbAsync();
        return (
            (await db.Environments.SingleAsync(e => e.Id == _productionId)).PromotionMode,
            await db.AuditEntries.CountAsync(a => a.Action == "promotion.paused")
        );
    }

    [Fact]
    public async Task A_frozen_environment_shows_frozen_with_why_and_when_it_opens_and_the_others_show_no_window()
    {
        await SignInAsBenAsync();
        var ends = DateTime.UtcNow.AddHours(3);
        await App
            .Services.GetRequiredService<ReleaseBoard.Web.Features.Windows.DeploymentWindows>()
            .ScheduleFreezeAsync(
                AuditActor.System,
                new(null, _productionId),
                DateTime.UtcNow.AddHours(-1),
                ends,
                "payment provider maintenance",
                Xunit.TestContext.Current.CancellationToken
            );
        Services.GetRequiredService<NavigationManager>().NavigateTo("/pipelines?team=ops");

        var page = Render<PipelinesPage>();

        var production = page.WaitForElement("[data-testid=stage-svc-production]");
        Assert.NotNull(production.QuerySelector("[data-testid=frozen]"));
        var window = production.QuerySelector("[data-testid=window]")!.TextContent;
        Assert.Contains("payment provider maintenance", window);
        Assert.Contains($"opens {ends:yyyy-MM-dd HH:mm} Etc/UTC", window);
        Assert.Null(page.Find("[data-testid=stage-svc-staging]").QuerySelector("[data-testid=window]"));
    }

    [Fact]
    public async Task A_dispatched_version_shows_when_it_was_sent_and_when_its_deployment_was_reported()
    {
        await SignInAsBenAsync();
        await using (var db = await DbAsync())
        {
            var serviceId = (
                await db.Environments.SingleAsync(
                    e => e.Id == _productionId,
                    Xunit.TestContext.Current.CancellationToken
                )
            ).ServiceId;
            // The page shows the team's time, and names the zone: Berlin is an hour ahead of UTC in December.
            await db.Teams.ExecuteUpdateAsync(
                t => t.SetProperty(x => x.TimeZoneId, "Europe/Berlin"),
                Xunit.TestContext.Current.CancellationToken
            );
            db.OutboxMessages.Add(
                new OutboxMessage
                {
                    Kind = OutboxKind.Dispatch,
                    Key = $"dispatch/{_productionId}/1.43.0",
                    EnvironmentId = _productionId,
                    Version = "1.43.0",
                    Payload = "{}",
                    State = OutboxState.Sent,
                    CreatedAt = new DateTime(2026, 12, 1, 10, 1, 0, DateTimeKind.Utc),
                    FinishedAt = new DateTime(2026, 12, 1, 10, 2, 0, DateTimeKind.Utc),
                }
            );
            db.Deployments.Add(
                new Deployment
                {
                    ServiceId = serviceId,
                    EnvironmentId = _productionId,
                    Version = "1.43.0",
                    StartedAt = new DateTime(2026, 12, 1, 10, 3, 0, DateTimeKind.Utc),
                    FinishedAt = new DateTime(2026, 12, 1, 10, 7, 0, DateTimeKind.Utc),
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "ci",
                }
            );
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        Services.GetRequiredService<NavigationManager>().NavigateTo("/pipelines?team=ops");

        var page = Render<PipelinesPage>();

        var dispatch = page.WaitForElement("[data-testid=stage-svc-production] [data-testid=dispatch]");
        Assert.Equal("1.43.0 dispatched Dec 1 11:02 · deployment reported Dec 1 11:07", dispatch.TextContent.Trim());
        Assert.Contains(
            "times in Europe/Berlin",
            page.Find("[data-testid=pipeline-svc] [data-testid=zone]").TextContent
        );
    }

    [Fact]
    public async Task An_approver_pauses_production_from_the_page()
    {
        await SignInAsBenAsync();

        var page = await PauseProductionAsync();

        page.WaitForAssertion(() =>
            Assert.Contains("Paused.", page.Find("[data-testid=promotion-message]").TextContent)
        );
        Assert.Equal((PromotionMode.Paused, 1), await ProductionAsync());
    }

    [Fact]
    public async Task An_approver_demoted_after_signing_in_still_sees_the_button_and_the_server_refuses_the_click()
    {
        await SignInAsBenAsync();
        Assert.True(
            (
                await App
                    .Services.GetRequiredService<UserAdministration>()
                    .SetRoleAsync("ben@example.test", Roles.Viewer, AuditActor.System)
            ).Succeeded
        );

        var page = await PauseProductionAsync();

        page.WaitForAssertion(() =>
            Assert.Contains("needs the Approver role", page.Find("[data-testid=promotion-message]").TextContent)
        );
        Assert.Equal((PromotionMode.Continuous, 0), await ProductionAsync());
    }
}
