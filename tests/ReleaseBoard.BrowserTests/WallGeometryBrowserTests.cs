using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data.Entities;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The wall at the sizes TVs and monitors have: nothing scrolls, no text is cut short, and the trend lines keep clear
/// of their "?" — measured by geometry in the browser, not by eye.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class WallGeometryBrowserTests(BrowserFixture fixture)
{
    /// <summary>What is wrong with the layout, as the browser measures it; empty when all is well.</summary>
    private const string Problems = """
        () => {
            const problems = [];
            const root = document.documentElement;
            if (root.scrollWidth > innerWidth + 1 || root.scrollHeight > innerHeight + 1)
                problems.push(`scrolls: ${root.scrollWidth}x${root.scrollHeight} in ${innerWidth}x${innerHeight}`);
            for (const el of document.querySelectorAll('.wall, .wall *')) {
                const style = getComputedStyle(el);
                if (style.display === 'none' || el.getClientRects().length === 0) continue;
                // Text cut by an ellipsis, or content a box hides because it does not fit.
                const clips = style.textOverflow === 'ellipsis' || style.overflowX === 'hidden';
                if (clips && el.scrollWidth > el.clientWidth + 1)
                    problems.push(`cut: "${el.textContent.trim()}" (${el.scrollWidth} > ${el.clientWidth})`);
                if (style.overflowY === 'hidden' && el.scrollHeight > el.clientHeight + 1)
                    problems.push(`cut below: "${el.textContent.trim().slice(0, 40)}" `
                        + `(${el.scrollHeight} > ${el.clientHeight})`);
            }
            // The big blocks of the sign never cover one another.
            const blocks = [...document.querySelectorAll(
                '.wall-top, .wall-sign__number, .wall-sign__caption, .wall-celebration, .wall-sign__detail, '
                + '.wall-figure, .wall-pipeline, .wall-updated')].map(el => [el, el.getBoundingClientRect()]);
            for (let i = 0; i < blocks.length; i++)
                for (let j = i + 1; j < blocks.length; j++) {
                    const [a, ra] = blocks[i], [b, rb] = blocks[j];
                    if (a.contains(b) || b.contains(a)) continue;
                    if (ra.right > rb.left + 1 && ra.left < rb.right - 1 && ra.bottom > rb.top + 1
                        && ra.top < rb.bottom - 1)
                        problems.push(`overlap: ${a.className} and ${b.className}`);
                }
            for (const figure of document.querySelectorAll('.wall-figure')) {
                const toggle = figure.querySelector('.definition-toggle')?.getBoundingClientRect();
                const line = figure.querySelector('.sparkline')?.getBoundingClientRect();
                if (toggle && line && line.right > toggle.left && line.left < toggle.right
                    && line.bottom > toggle.top && line.top < toggle.bottom)
                    problems.push(`overlap: the trend line of ${figure.dataset.testid} reaches its "?"`);
            }
            return problems;
        }
        """;

    public static TheoryData<int, int, string> Sizes()
    {
        var sizes = new TheoryData<int, int, string>();
        foreach (var theme in new[] { "dark", "light" })
        foreach (var (width, height) in new[] { (3840, 2160), (1920, 1080), (1280, 720), (1080, 1920) })
            sizes.Add(width, height, theme);
        return sizes;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task The_wall_fits_without_scrolling_cutting_or_overlapping(int width, int height, string theme)
    {
        var slug = $"fit-{width}x{height}-{theme}";
        await fixture.AddTeamAsync(slug, daysAgo: 12, "checkout-web", "ledger-reconciliation", "payments-api");
        await RetitleCatchesAsync(slug, "Double charge when the card network retries a timed-out capture");
        // The longest words a stage shows: every stage Continuous.
        await using (var db = fixture.App.Db())
            await db
                .Environments.Where(e => e.Service.Team.Slug == slug)
                .ExecuteUpdateAsync(
                    e => e.SetProperty(x => x.PromotionMode, PromotionMode.Continuous),
                    TestContext.Current.CancellationToken
                );

        var page = await OpenWallAsync(slug, width, height, theme);
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("12");

        await AssertFitsAsync(page, $"wall-{theme}-{width}x{height}.png");
        Assert.Equal(theme == "light", await page.Locator(".wall--light").CountAsync() == 1);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The day the streak passes the old record: the glow and its line are there, in the smallest landscape and in
    /// portrait, and still nothing is cut or covered.
    /// </summary>
    [Theory]
    [InlineData(1280, 720, "dark")]
    [InlineData(1080, 1920, "light")]
    [InlineData(1920, 1080, "light")]
    public async Task The_record_beaten_today_is_celebrated_calmly_and_still_fits(int width, int height, string theme)
    {
        var slug = $"record-{width}-{theme}";
        // Catches 25 and 13 days ago: the old record is 12 days, and today the run reaches 13.
        await fixture.AddTeamAsync(slug, daysAgo: 25, "checkout-web", "payments-api");
        await AddCatchAsync(slug, daysAgo: 13);

        var page = await OpenWallAsync(slug, width, height, theme);
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("13");
        await Expect(page.GetByTestId("celebration")).ToContainTextAsync("past 12 days");

        // Calm: nothing on the sign is animated or transitions.
        var moving = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('.wall, .wall *')].filter(el => "
                + "getComputedStyle(el).animationName !== 'none').length"
        );
        Assert.Equal(0, moving);
        await AssertFitsAsync(page, $"wall-record-{theme}-{width}x{height}.png");
        await page.Context.CloseAsync();
    }

    private async Task<Microsoft.Playwright.IPage> OpenWallAsync(string slug, int width, int height, string theme)
    {
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = width, Height = height },
            }
        );
        var page = await context.NewPageAsync();
        var link = await fixture.DisplayLinkAsync(slug);
        await page.GotoAsync(fixture.App.BaseUrl + link.Replace("#", $"?theme={theme}#", StringComparison.Ordinal));
        await BrowserFixture.WaitUntilLiveAsync(page);
        return page;
    }

    private static async Task AssertFitsAsync(Microsoft.Playwright.IPage page, string screenshot)
    {
        var problems = await page.EvaluateAsync<JsonElement>(Problems);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, screenshot) });
        Assert.Empty(problems.EnumerateArray().Select(p => p.GetString()));
    }

    private async Task RetitleCatchesAsync(string slug, string title)
    {
        await using var db = fixture.App.Db();
        await db
            .Catches.Where(c => c.Service.Team.Slug == slug)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.Title, title), TestContext.Current.CancellationToken);
    }

    private async Task AddCatchAsync(string slug, int daysAgo)
    {
        await using var db = fixture.App.Db();
        var staging = await db.Environments.FirstAsync(
            e => e.Service.Team.Slug == slug && e.Name == "staging",
            TestContext.Current.CancellationToken
        );
        var caughtAt = DateTime.UtcNow.Date.AddDays(-daysAgo).AddHours(12);
        db.Catches.Add(
            new()
            {
                ServiceId = staging.ServiceId,
                EnvironmentId = staging.Id,
                Severity = 2,
                Title = "Refund posted twice",
                ReportedBy = "test",
                CaughtAt = caughtAt,
                RecordedAt = caughtAt,
                Source = "test",
            }
        );
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
