using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// What the wall benchmarks share: Debian's headless Chromium, a catch posted as a numbered probe, and a
/// MutationObserver in each wall that notes when each probe's title first shows (browser clock, epoch ms).
/// </summary>
internal static class WallProbe
{
    public const string Observe = """
        () => {
            window.__seen = {};
            new MutationObserver(() => {
                const text = document.querySelector('[data-testid=last-catch]')?.textContent ?? '';
                const probe = text.match(/wall probe (\d+)/);
                if (probe && !(probe[1] in window.__seen)) window.__seen[probe[1]] = Date.now();
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """;

    /// <summary>Chromium kept off the network, with <paramref name="extraArgs"/> that one benchmark needs.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright, params string[] extraArgs) =>
        playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("RELEASEBOARD_CHROMIUM") ?? "/usr/bin/chromium",
                Headless = true,
                Args =
                [
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    .. extraArgs,
                ],
            }
        );

    /// <summary>Posts catch number <paramref name="probe"/> to the "load" team; returns when it was sent.</summary>
    public static async Task<long> PostAsync(HttpClient http, int probe)
    {
        var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var response = await http.PostAsJsonAsync(
            "/api/v1/catches",
            new
            {
                service = "load-api",
                environment = "staging",
                severity = 2,
                title = $"wall probe {probe}",
                reportedBy = "benchmark",
                caughtAt = DateTimeOffset.UtcNow.AddSeconds(-1),
            }
        );
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"catch {probe}: {response.StatusCode}");
        return sent;
    }

    /// <summary>When the page's observer saw the probe, asked every <paramref name="poll"/> until it has.</summary>
    public static async Task<double> SeenAsync(IPage page, int probe, TimeSpan timeout, TimeSpan poll)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (await page.EvaluateAsync<double?>($"() => window.__seen['{probe}'] ?? null") is { } seen)
                return seen;
            await Task.Delay(poll);
        }
        throw new TimeoutException($"probe {probe} never showed on a wall");
    }
}
