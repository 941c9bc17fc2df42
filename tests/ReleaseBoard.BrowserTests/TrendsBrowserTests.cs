using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The trends page in a real browser on the demo data: apexcharts draws, and follows the filters in place.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class TrendsBrowserTests(BrowserFixture fixture)
{
    private static ILocator Chart(IPage page, string id) => page.GetByTestId($"chart-{id}");

    [Fact]
    public async Task The_charts_render_with_their_series_and_follow_the_filters_without_being_created_again()
    {
        var page = await fixture.OpenAsync(
            "/trends?team=payments&range=90d&bucket=week",
            1920,
            1080,
            signedInAs: "Viewer"
        );
        await BrowserFixture.WaitUntilLiveAsync(page);

        await Expect(page.Locator(".rb-chart .apexcharts-svg")).ToHaveCountAsync(11, new() { Timeout = 15000 });
        await Expect(Chart(page, "reliability").Locator(".apexcharts-legend-series")).ToHaveCountAsync(3);
        await Expect(Chart(page, "reliability").Locator(".apexcharts-legend-text"))
            .ToHaveTextAsync(["MTBF", "MTTR (mean)", "Failures"]);
        await Expect(Chart(page, "days-since").Locator(".apexcharts-legend-series")).ToHaveCountAsync(2);
        await Expect(Chart(page, "deployment-frequency").Locator(".apexcharts-bar-area")).Not.ToHaveCountAsync(0);
        await page.ScreenshotAsync(
            new()
            {
                Path = Path.Combine(BrowserFixture.ScreenshotFolder, "trends-payments-1920x1080.png"),
                FullPage = true,
            }
        );
        var weeklyLabels = await Chart(page, "deployment-frequency").Locator(".apexcharts-xaxis-label").CountAsync();

        await page.GetByTestId("filter-bucket").Locator("..").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Monthly" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("bucket=month"));
        await Expect(Chart(page, "deployment-frequency").Locator(".apexcharts-xaxis-label tspan").First)
            .ToHaveTextAsync(new Regex(@"^[A-Z][a-z]{2} 20\d\d$"));
        Assert.True(
            await Chart(page, "deployment-frequency").Locator(".apexcharts-xaxis-label").CountAsync() < weeklyLabels
        );
        foreach (var chart in await page.Locator(".rb-chart").AllAsync())
            Assert.Equal("1", await chart.GetAttributeAsync("data-chart-creations"));

        await page.GetByTestId("filter-team").Locator("..").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Search" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("team=search"));
        await Expect(page.GetByTestId("trend-summary")).ToContainTextAsync("Search");
        await Expect(page.Locator(".rb-chart .apexcharts-svg")).ToHaveCountAsync(11);
        foreach (var chart in await page.Locator(".rb-chart").AllAsync())
            Assert.Equal("1", await chart.GetAttributeAsync("data-chart-creations"));
    }

    [Fact]
    public async Task A_shared_link_reproduces_the_view_and_the_table_matches_the_csv_columns()
    {
        // Fixed dates, not range=12m: mid-November to mid-November is thirteen months (two of them partial) whatever
        // today is; "the last twelve months" has twelve on the last day of a month and thirteen on the others.
        var page = await fixture.OpenAsync(
            "/trends?team=search&from=2025-11-15&to=2026-11-15&bucket=month&view=table",
            1280,
            720,
            signedInAs: "Viewer"
        );
        await BrowserFixture.WaitUntilLiveAsync(page);

        await Expect(page.GetByTestId("trend-table").Locator("tbody tr")).ToHaveCountAsync(13);
        await Expect(page.GetByTestId("demo-chip")).ToHaveTextAsync("DEMO DATA");
        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "trends-table-1280x720.png") }
        );

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);

        Assert.Equal(14, csv.Length); // header + 13 months
        Assert.StartsWith("Bucket start (local),", csv[0]);
        var firstRow = await page.GetByTestId("trend-table")
            .Locator("tbody tr")
            .First.Locator("td")
            .AllInnerTextsAsync();
        Assert.Equal(string.Join(",", firstRow), csv[1]);
    }
}
