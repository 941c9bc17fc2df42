using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>The switch with four eyes, and the immune system, as people and a pipeline see them.</summary>
[Collection(nameof(BrowserCollection))]
public class PromotionBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Two_approvers_turn_production_continuous_live_on_the_wall_and_an_incident_pauses_it()
    {
        await fixture.AddTeamAsync("promo", daysAgo: 4, "promo-api");
        var second = "second-approver@example.test";
        Assert.Equal(
            0,
            (
                await fixture.App.RunCommandAsync(
                    BrowserFixture.Password,
                    "users",
                    "create",
                    "--email",
                    second,
                    "--role",
                    "Approver"
                )
            ).ExitCode
        );
        var key = (
            await fixture.App.RunCommandAsync(null, "apikeys", "create", "--name", "promo-ci", "--team", "promo")
        ).Output.Trim();

        var wall = await fixture.OpenAsync("/wall/promo", signedInAs: "Viewer");
        await BrowserFixture.WaitUntilLiveAsync(wall);
        var productionOnWall = wall.GetByTestId("pipelines")
            .Locator(".wall-env")
            .Filter(new() { HasText = "production" })
            .Locator(".wall-env__mode");
        await Expect(productionOnWall).ToHaveTextAsync("Manual");

        // The release lead asks, with a reason.
        var lead = await fixture.OpenAsync("/pipelines?team=promo", 1280, 900, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(lead);
        var production = lead.GetByTestId("stage-promo-api-production");
        await production.GetByTestId("request").ClickAsync();
        await production.GetByTestId("reason").FillAsync("Staging has caught everything for a month");
        await production.GetByTestId("confirm").ClickAsync();
        // The request waits in the side panel; the cell says so.
        var request = lead.GetByTestId("request-promo-api-production");
        await Expect(request.GetByTestId("approvals")).ToContainTextAsync("0 of 2 approvals");
        await Expect(production.GetByTestId("awaiting")).ToContainTextAsync("awaiting approval: 0 of 2");
        await request.GetByTestId("approve").ClickAsync();
        await Expect(lead.GetByTestId("promotion-message")).ToContainTextAsync("cannot approve their own request");

        // Two other approvers, in their own browsers; the lead's page follows live.
        var first = await fixture.OpenAsync("/pipelines?team=promo", 1280, 900, signedInAs: "Admin");
        await BrowserFixture.WaitUntilLiveAsync(first);
        // The evidence beside the switch fails two criteria (a catch 4 days ago, no rollback proven): approving needs a
        // reason.
        var firstProduction = first.GetByTestId("stage-promo-api-production");
        await Expect(firstProduction.GetByTestId("criterion-rollback-proven")).ToContainTextAsync("none in 30 days");
        var firstRequest = first.GetByTestId("request-promo-api-production");
        await firstRequest.GetByTestId("approve").ClickAsync();
        await Expect(first.GetByTestId("promotion-message")).ToContainTextAsync("needs a written override reason");
        await Expect(request.GetByTestId("approvals")).ToContainTextAsync("0 of 2 approvals");
        await firstRequest
            .GetByTestId("override-reason")
            .FillAsync("Rollback drill is booked for Monday; we watch it meanwhile");
        await firstRequest.GetByTestId("approve-anyway").ClickAsync();
        await Expect(request.GetByTestId("approvals")).ToContainTextAsync("1 of 2 approvals");
        var other = await fixture.OpenAsync("/pipelines?team=promo", 1280, 900, signedInAs: second);
        await BrowserFixture.WaitUntilLiveAsync(other);
        var otherRequest = other.GetByTestId("request-promo-api-production");
        await otherRequest.GetByTestId("approve").ClickAsync();
        await otherRequest.GetByTestId("override-reason").FillAsync("Agreed, with the drill on Monday");
        await otherRequest.GetByTestId("approve-anyway").ClickAsync();

        await Expect(productionOnWall).ToHaveTextAsync("Continuous", new() { Timeout = BrowserFixture.Patience });
        await Expect(production.GetByTestId("state")).ToHaveTextAsync("Continuous");
        await lead.ScreenshotAsync(
            new()
            {
                Path = Path.Combine(BrowserFixture.ScreenshotFolder, "pipelines-continuous-1280x900.png"),
                FullPage = true,
            }
        );

        // A failure opens: the pipeline's incident tool reports it, and production pauses by itself.
        using var api = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var posted = await api.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "promo-api",
                severity = 1,
                title = "Payments failing",
                startedAt = DateTimeOffset.UtcNow,
                source = "pagerduty",
                externalId = "PD-1",
            },
            TestContext.Current.CancellationToken
        );
        Assert.True(
            posted.IsSuccessStatusCode,
            await posted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );

        await Expect(productionOnWall).ToHaveTextAsync("PAUSED", new() { Timeout = BrowserFixture.Patience });
        var gate = JsonDocument
            .Parse(
                await api.GetStringAsync("/api/v1/gates/promo-api/production", TestContext.Current.CancellationToken)
            )
            .RootElement;
        Assert.False(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal("paused", gate.GetProperty("state").GetString());
        await Expect(production.GetByTestId("why")).ToContainTextAsync("Payments failing");
        await wall.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wall-paused-by-failure.png") }
        );

        // The whole story is in the audit trail, filterable and exportable.
        await lead.GetByTestId("audit-link").ClickAsync();
        await Expect(lead.GetByTestId("promotion-audit")).ToContainTextAsync("paused-by-failure");
        // requested, 2 approvals, continuous, paused
        await Expect(lead.GetByTestId("promotion-audit").Locator("tbody tr")).ToHaveCountAsync(5);
        var csv = await lead.RunAndWaitForDownloadAsync(() => lead.GetByTestId("audit-csv").ClickAsync());
        var lines = await File.ReadAllLinesAsync(await csv.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l =>
            l.Contains("approved-with-override") && l.Contains("Rollback drill is booked for Monday")
        );
    }

    [Fact]
    public async Task A_viewer_sees_the_pipelines_but_no_switch()
    {
        await fixture.AddTeamAsync("promo-view", daysAgo: 2, "view-api");
        var page = await fixture.OpenAsync("/pipelines?team=promo-view", 1280, 900, signedInAs: "Viewer");
        await BrowserFixture.WaitUntilLiveAsync(page);

        await Expect(page.GetByTestId("stage-view-api-production").GetByTestId("state")).ToHaveTextAsync("Manual");
        await Expect(page.GetByTestId("request")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("pipeline-view-api").GetByTestId("maturity"))
            .ToContainTextAsync("missing: no deployment to pre-production in the last 30 days");
        // The what-if replay is evidence, open to everyone: try another soak time.
        var production = page.GetByTestId("stage-view-api-production");
        await production.GetByTestId("evidence-summary").ClickAsync();
        await Expect(production.GetByTestId("what-if-result")).ToContainTextAsync("Last 90 days at 0 min");
        await production.GetByTestId("what-if-soak").FillAsync("120");
        await production.GetByTestId("what-if-soak").PressAsync("Tab");
        await Expect(production.GetByTestId("what-if-result")).ToContainTextAsync("Last 90 days at 120 min");
        await Expect(page.GetByTestId("stop-the-line")).ToHaveCountAsync(0);
    }
}
