using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The pipelines board as the design sketches it: a row per service, a column per environment, eight services on one
/// 1080p screen with nothing spilling out of its cell, the evidence folded until asked for.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class PipelinesLayoutBrowserTests(BrowserFixture fixture)
{
    private const string Problems = """
        () => {
            const problems = [];
            const root = document.documentElement;
            if (root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1)
                problems.push(`scrolls: ${root.scrollWidth}x${root.scrollHeight} in ${innerWidth}x${innerHeight}`);
            for (const cell of document.querySelectorAll('.rb-stage, .rb-board__service')) {
                const box = cell.getBoundingClientRect();
                for (const el of cell.querySelectorAll('*')) {
                    const r = el.getBoundingClientRect();
                    if (r.width === 0 || !el.checkVisibility({ visibilityProperty: true })) continue;
                    if (r.right > box.right + 1 || r.bottom > box.bottom + 1)
                        problems.push(`spills: "${el.textContent.trim().slice(0, 30)}" out of its cell`);
                }
            }
            return problems;
        }
        """;

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1280, 720)]
    public async Task Eight_services_read_as_one_board_with_the_evidence_folded(int width, int height)
    {
        var slug = $"board-{width}";
        string[] services = ["api", "web", "ledger", "search", "identity", "mailer", "billing", "reports"];
        await fixture.AddTeamAsync(slug, daysAgo: 3, [.. services.Select(s => $"{slug}-{s}")]);
        await using (var db = fixture.App.Db())
            await db
                .Teams.Where(t => t.Slug == slug)
                .ExecuteUpdateAsync(
                    t => t.SetProperty(x => x.TimeZoneId, "Europe/Berlin"),
                    TestContext.Current.CancellationToken
                );

        var page = await fixture.OpenAsync($"/pipelines?team={slug}", width, height, signedInAs: "Approver");
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.Locator("[data-testid^=pipeline-board-]")).ToHaveCountAsync(8);
        // The columns follow the pipeline, and every time names the team's zone once per row.
        Assert.Equal(
            ["SERVICE", "DEV", "STAGING", "PRODUCTION"],
            (await page.Locator(".rb-board__head span").AllInnerTextsAsync()).Select(t => t.Trim().ToUpperInvariant())
        );
        await Expect(page.GetByTestId($"pipeline-{slug}-api").GetByTestId("zone"))
            .ToContainTextAsync("times in Europe/Berlin");
        var production = page.GetByTestId($"stage-{slug}-api-production");
        await Expect(production.GetByTestId("readiness")).ToBeHiddenAsync();

        if (width == 1920)
        {
            // Eight services fit 1080p: the eighth row ends above the fold.
            var last = await page.GetByTestId($"pipeline-{slug}-reports").BoundingBoxAsync();
            Assert.True(last!.Y + last.Height <= height, $"the eighth service ends at {last.Y + last.Height} px");
        }
        var problems = await page.EvaluateAsync<JsonElement>(Problems);
        await page.ScreenshotAsync(
            new()
            {
                Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"pipelines-{width}x{height}.png"),
                FullPage = true,
            }
        );
        // At 1280x720 eight rows need more than one screen; the page may scroll there, but nothing may spill.
        var seen = problems.EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal([], width == 1920 ? seen : seen.Where(p => !p.StartsWith("scrolls", StringComparison.Ordinal)));

        // Asked for, the evidence unfolds in place.
        await production.GetByTestId("evidence-summary").ClickAsync();
        await Expect(production.GetByTestId("readiness")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_the_stages_wrap_under_the_service_and_name_themselves()
    {
        await fixture.AddTeamAsync("board-phone", daysAgo: 3, "board-phone-api");
        var page = await fixture.OpenAsync("/pipelines?team=board-phone", 414, 896, signedInAs: "Viewer");
        await BrowserFixture.WaitUntilLiveAsync(page);

        var production = page.GetByTestId("stage-board-phone-api-production");
        await Expect(production.Locator(".rb-stage__name")).ToHaveTextAsync("production");
        var problems = await page.EvaluateAsync<JsonElement>(Problems);
        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "pipelines-414x896.png"), FullPage = true }
        );
        var seen = problems.EnumerateArray().Select(p => p.GetString()!).ToList();
        // A phone scrolls down (checked next: never sideways), and nothing spills out of its cell.
        Assert.Equal([], seen.Where(p => !p.StartsWith("scrolls", StringComparison.Ordinal)));
        Assert.Equal(414, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        await page.Context.CloseAsync();
    }
}
