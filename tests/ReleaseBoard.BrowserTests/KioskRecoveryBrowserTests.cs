using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>A wall nobody touches must come back by itself from whatever happens to the server.</summary>
[Collection(nameof(BrowserCollection))]
public class KioskRecoveryBrowserTests(BrowserFixture fixture)
{
    private static Task MarkPageAsync(IPage page) => page.EvaluateAsync("() => window.__sameDocument = true");

    private static Task ExpectReloadedAsync(IPage page, float timeoutMs) =>
        page.WaitForFunctionAsync("() => window.__sameDocument === undefined", null, new() { Timeout = timeoutMs });

    [Fact]
    public async Task After_a_server_restart_the_open_wall_reloads_itself_once_the_server_answers()
    {
        // A server of its own to kill: the suite's shared one keeps serving the other tests meanwhile.
        await using var server = new AppServer();
        await server.StartAsync();
        await BrowserFixture.AddTeamAsync(server, "kiosk-restart", daysAgo: 4);
        var context = await fixture.Browser.NewContextAsync(
            new()
            {
                ViewportSize = new() { Width = 1920, Height = 1080 },
            }
        );
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseUrl + await fixture.DisplayLinkAsync("kiosk-restart", on: server));
        await BrowserFixture.WaitUntilLiveAsync(page);
        await MarkPageAsync(page);

        await page.EvaluateAsync(
            @"() => {
            window.__retries = 0;
            window.__gaveUp = false;
            const modal = document.getElementById('components-reconnect-modal');
            modal.addEventListener('components-reconnect-state-changed', e => {
                if (e.detail.state === 'retrying') window.__retries++;
                if (e.detail.state === 'failed') window.__gaveUp = true;
            });
        }"
        );

        await server.KillAsync();

        // Staleness shows at once: red while the server does not answer.
        await Expect(page.Locator("html[data-connection=down]")).ToHaveCountAsync(1, new() { Timeout = 15000 });
        await page.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wall-server-away-1920x1080.png") }
        );
        // The framework's default gives up after 30 attempts; this wall keeps trying, and does not reload onto an error
        // page.
        await page.WaitForFunctionAsync(
            "() => window.__retries > 30",
            null,
            new() { Timeout = 120000, PollingInterval = 1000 }
        );
        Assert.False(await page.EvaluateAsync<bool>("() => window.__gaveUp"), "reconnection gave up");
        Assert.True(
            await page.EvaluateAsync<bool>("() => window.__sameDocument === true"),
            "the page reloaded while the server was down"
        );

        await server.StartAsync(); // the same port: a TV's address does not change with a restart

        await ExpectReloadedAsync(page, timeoutMs: 30000);
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("4");
    }

    [Fact]
    public async Task A_page_whose_circuit_never_starts_reloads_itself()
    {
        await fixture.AddTeamAsync("kiosk-frozen", daysAgo: 2);
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // The server "dies" between the prerendered page and the circuit: for a few seconds no connection gets through.
        // The request is left hanging, as a dead server behind a proxy would leave it: no error, no reconnect event.
        var blockUntil = DateTime.UtcNow.AddSeconds(5);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            if (DateTime.UtcNow >= blockUntil)
                await route.ContinueAsync();
        });
        var loads = 0;
        page.Load += (_, _) => Interlocked.Increment(ref loads);

        await page.GotoAsync(fixture.App.BaseUrl + await fixture.DisplayLinkAsync("kiosk-frozen"));
        await Expect(page.GetByTestId("display-connecting")).ToBeVisibleAsync(); // prerendered, and stuck there

        await BrowserFixture.WaitUntilLiveAsync(page, timeoutMs: 60000);
        Assert.True(loads >= 2, "the page became live without reloading, so the frozen start was never simulated");
        await Expect(page.GetByTestId("days-since")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task When_the_error_bar_shows_the_page_reloads_itself()
    {
        await fixture.AddTeamAsync("kiosk-error", daysAgo: 1);
        var page = await fixture.OpenAsync(await fixture.DisplayLinkAsync("kiosk-error"));
        await BrowserFixture.WaitUntilLiveAsync(page);
        await MarkPageAsync(page);

        // What Blazor does on an unhandled exception in a component: show #blazor-error-ui, and nothing else.
        await page.EvaluateAsync("() => document.getElementById('blazor-error-ui').style.display = 'block'");

        await ExpectReloadedAsync(page, timeoutMs: 30000);
        await BrowserFixture.WaitUntilLiveAsync(page);
    }
}
