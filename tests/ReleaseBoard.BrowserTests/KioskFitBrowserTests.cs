using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// A kiosk browser can install the wall: an icon, a web manifest for fullscreen, and no request that fails (the
/// favicon 404 every page used to log).
/// </summary>
[Collection(nameof(BrowserCollection))]
public class KioskFitBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_wall_loads_with_its_icon_and_a_fullscreen_manifest_and_no_failed_request()
    {
        await fixture.AddTeamAsync("kiosk-fit", daysAgo: 5);
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var page = await context.NewPageAsync();
        var failed = new ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                failed.Enqueue($"{response.Status} {response.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                failed.Enqueue("console: " + message.Text);
        };

        await page.GotoAsync(fixture.App.BaseUrl + await fixture.DisplayLinkAsync("kiosk-fit"));
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("5");
        await page.WaitForTimeoutAsync(1000);

        Assert.Empty(failed);
        var manifestHref = await page.Locator("link[rel=manifest]").GetAttributeAsync("href");
        var manifestUrl = new Uri(new Uri(fixture.App.BaseUrl + "/"), manifestHref);
        using var http = new HttpClient();
        var manifest = JsonNode.Parse(await http.GetStringAsync(manifestUrl, TestContext.Current.CancellationToken))!;
        Assert.Equal("fullscreen", (string)manifest["display"]!);
        Assert.Equal("ReleaseBoard", (string)manifest["name"]!);
        var icons = manifest["icons"]!.AsArray();
        Assert.Contains(icons, i => (string)i!["sizes"]! == "512x512" && (string)i["type"]! == "image/png");
        foreach (var icon in icons)
        {
            using var response = await http.GetAsync(
                new Uri(manifestUrl, (string)icon!["src"]!),
                TestContext.Current.CancellationToken
            );
            Assert.True(response.IsSuccessStatusCode, $"{icon["src"]}: {(int)response.StatusCode}");
            Assert.Equal((string)icon["type"]!, response.Content.Headers.ContentType?.MediaType);
        }
        var favicon = await page.Locator("link[rel=icon][type='image/svg+xml']").GetAttributeAsync("href");
        using var svg = await http.GetAsync(
            new Uri(new Uri(fixture.App.BaseUrl + "/"), favicon),
            TestContext.Current.CancellationToken
        );
        Assert.True(svg.IsSuccessStatusCode);
        await context.CloseAsync();
    }
}
