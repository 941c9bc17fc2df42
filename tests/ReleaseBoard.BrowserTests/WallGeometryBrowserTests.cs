using System.Text.Json;
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
            for (const el of document.querySelectorAll('.wall *')) {
                const style = getComputedStyle(el);
                if (style.display === 'none' || el.getClientRects().length === 0) continue;
                if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
                    problems.push(`cut: "${el.textContent.trim()}" (${el.scrollWidth} > ${el.clientWidth})`);
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

    [Theory]
    [InlineData(3840, 2160)]
    [InlineData(1920, 1080)]
    [InlineData(1280, 720)]
    public async Task The_wall_fits_without_scrolling_cutting_or_overlapping(int width, int height)
    {
        var slug = $"fit-{width}x{height}";
        await fixture.AddTeamAsync(slug, daysAgo: 12, "checkout-web", "ledger", "payments-api");
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = width, Height = height },
            }
        );
        var page = await context.NewPageAsync();

        await page.GotoAsync(fixture.App.BaseUrl + await fixture.DisplayLinkAsync(slug));
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("12");

        var problems = await page.EvaluateAsync<JsonElement>(Problems);
        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"wall-{width}x{height}.png") }
        );
        Assert.Empty(problems.EnumerateArray().Select(p => p.GetString()));
        await context.CloseAsync();
    }
}
