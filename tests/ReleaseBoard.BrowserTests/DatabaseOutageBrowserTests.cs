using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The database file made unavailable under a running app, then put back: the open wall keeps its figures marked
/// "stale since …" and recovers by itself, without reloading the page.
/// </summary>
[Collection(nameof(BrowserCollection))]
public class DatabaseOutageBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_wall_marks_its_figures_stale_while_the_database_is_away_and_recovers_without_a_reload()
    {
        await using var server = new AppServer(pooledConnections: false);
        await server.StartAsync();
        await BrowserFixture.AddTeamAsync(server, "outage", daysAgo: 5);
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var wall = await context.NewPageAsync();
        await wall.GotoAsync(server.BaseUrl + await fixture.DisplayLinkAsync("outage", on: server));
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("5");
        await BrowserFixture.WaitUntilLiveAsync(wall);
        await wall.EvaluateAsync("() => window.__sameDocument = true");

        // The database's folder moved aside in one rename: nothing can open the database (SQLite creates no folder).
        Directory.Move(server.DataFolder, server.DataFolder + ".away");
        try
        {
            await Expect(wall.GetByTestId("stale"))
                .ToContainTextAsync("STALE since", new() { Timeout = BrowserFixture.Patience });
            await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("5"); // the last figures stay up
            await wall.ScreenshotAsync(
                new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wall-database-away-1920x1080.png") }
            );
        }
        finally
        {
            Directory.Move(server.DataFolder + ".away", server.DataFolder);
        }

        await Expect(wall.GetByTestId("stale")).ToHaveCountAsync(0, new() { Timeout = BrowserFixture.Patience });
        await Expect(wall.GetByTestId("days-since")).ToHaveTextAsync("5");
        Assert.True(
            await wall.EvaluateAsync<bool>("() => window.__sameDocument === true"),
            "the wall reloaded instead of recovering in place"
        );
        await context.CloseAsync();
    }
}
