using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// The wall's stamina, with real Blazor circuits (headless Chromium pages) on one server. The server runs in this
/// process (Kestrel on a loopback port), so its managed memory can be read after a forced full collection; the
/// browser is a process of its own. Fan-out: one write to every open wall. Soak: thousands of writes to open walls,
/// memory and subscribers before and after. First paint: navigation to the number on screen and to the live circuit.
/// </summary>
public static class StaminaLoad
{
    public static async Task<int> RunFanOutAsync(string[] args)
    {
        var walls = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 200;
        Console.WriteLine($"Fan-out: {walls} walls as Blazor circuits in headless Chromium, one write");
        await using var host = await Host.StartAsync("fanout");
        var baseline = Host.ManagedMemoryAfterFullCollection();
        var subscribersBefore = host.Notifier.SubscriberCount;
        var pages = await host.OpenWallsAsync(walls);
        var withWalls = Host.ManagedMemoryAfterFullCollection();

        // Warm: the first writes pay for compiling the ingestion and wall paths; they are not what is measured.
        for (var probe = 1; probe <= 3; probe++)
        {
            await host.PostCatchAsync(probe);
            await SeenEverywhereAsync(pages, probe);
            await Task.Delay(1500);
        }
        // Five writes, 3 s apart: for each, from the POST to the last of the walls showing it.
        var rounds = new List<(double First, double Median, double Last)>();
        for (var probe = 4; probe <= 8; probe++)
        {
            var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await host.PostCatchAsync(probe);
            var seen = (await SeenEverywhereAsync(pages, probe)).Order().ToList();
            rounds.Add((seen[0] - sent, seen[seen.Count / 2] - sent, seen[^1] - sent));
            await Task.Delay(3000);
        }
        var last = rounds.Max(r => r.Last);
        var perWallKb = (withWalls - baseline) / 1024.0 / walls;
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| open walls (circuits) | {walls} |");
        Console.WriteLine(
            $"| notifier subscribers, before / with walls | {subscribersBefore} / "
                + $"{host.Notifier.SubscriberCount} |"
        );
        var lasts = string.Join(", ", rounds.Select(r => $"{r.Last:F0}"));
        Console.WriteLine($"| one write to every wall showing it, ms (5 writes) | {lasts} |");
        Console.WriteLine(
            $"| first / median wall, ms (5 writes) | "
                + $"{string.Join(", ", rounds.Select(r => $"{r.First:F0}/{r.Median:F0}"))} |"
        );
        Console.WriteLine(
            $"| server managed memory, no walls / {walls} walls, MB | {baseline / 1048576.0:F1} / "
                + $"{withWalls / 1048576.0:F1} |"
        );
        Console.WriteLine($"| managed memory per open wall, KB | {perWallKb:F0} |");
        var met = last < 1000 && perWallKb <= 300;
        Console.WriteLine($"Target: every wall within 1 s, at most 300 KB per wall: {(met ? "met" : "NOT met")}.");
        return met ? 0 : 1;
    }

    public static async Task<int> RunSoakAsync(string[] args)
    {
        var changes = args.Length > 1 && int.TryParse(args[1], out var c) ? c : 10_000;
        var walls = args.Length > 2 && int.TryParse(args[2], out var w) ? w : 50;
        Console.WriteLine($"Soak: {changes} changes pushed to {walls} open walls");
        await using var host = await Host.StartAsync("soak");
        var pages = await host.OpenWallsAsync(walls);
        // Warm: a few hundred changes first, so what grows afterwards is not the first use of a code path.
        for (var i = 1; i <= 200; i++)
            await host.PostCatchAsync(i);
        await SeenEverywhereAsync(pages, 200);
        await Task.Delay(2000);
        var before = Host.ManagedMemoryAfterFullCollection();
        var subscribersBefore = host.Notifier.SubscriberCount;

        var clock = Stopwatch.StartNew();
        for (var i = 201; i <= 200 + changes; i++)
            await host.PostCatchAsync(i);
        var pushed = clock.Elapsed;
        var final = 200 + changes;
        await SeenEverywhereAsync(pages, final);
        await Task.Delay(2000);
        var after = Host.ManagedMemoryAfterFullCollection();
        var live = 0;
        foreach (var page in pages)
            live += await page.Locator("html[data-connection=live]").CountAsync();
        var growth = (after - before) * 100.0 / before;

        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| changes pushed / in | {changes} / {pushed.TotalSeconds:F0} s |");
        Console.WriteLine($"| walls live at the end, showing the last change | {live} of {walls} |");
        Console.WriteLine(
            $"| notifier subscribers, before / after | {subscribersBefore} / " + $"{host.Notifier.SubscriberCount} |"
        );
        Console.WriteLine(
            $"| server managed memory, before / after, MB | {before / 1048576.0:F1} / " + $"{after / 1048576.0:F1} |"
        );
        Console.WriteLine($"| growth | {growth:F1} % |");
        var met = growth < 5 && live == walls && host.Notifier.SubscriberCount == subscribersBefore;
        Console.WriteLine(
            $"Target: under 5 % growth, no circuit lost, no handler leaked: {(met ? "met" : "NOT met")}."
        );
        return met ? 0 : 1;
    }

    public static async Task<int> RunFirstPaintAsync(string[] args)
    {
        var loads = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 20;
        Console.WriteLine($"First paint: {loads} loads of a wall, each in a fresh browser context");
        await using var host = await Host.StartAsync("firstpaint");
        var number = new List<double>();
        var live = new List<double>();
        for (var i = 0; i < loads; i++)
        {
            var context = await host.Browser.NewContextAsync(Host.Viewport);
            var page = await context.NewPageAsync();
            // performance.now() counts from the navigation's start.
            await page.AddInitScriptAsync(
                """
                new MutationObserver(() => {
                    if (!window.__number && document.querySelector('[data-testid=days-since]'))
                        window.__number = performance.now();
                    if (!window.__live && document.documentElement.dataset.connection === 'live')
                        window.__live = performance.now();
                }).observe(document, { subtree: true, childList: true, attributes: true });
                """
            );
            await page.GotoAsync($"{host.BaseUrl}/wall/load");
            await page.Locator("html[data-connection=live]")
                .WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
            number.Add(await page.EvaluateAsync<double>("() => window.__number ?? performance.now()"));
            live.Add(await page.EvaluateAsync<double>("() => window.__live ?? performance.now()"));
            await context.CloseAsync();
        }
        number.Sort();
        live.Sort();
        Console.WriteLine();
        Console.WriteLine("| measurement | p50 ms | p95 ms |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(
            $"| navigation to the number on screen | {number.Percentile(0.5):F0} | " + $"{number.Percentile(0.95):F0} |"
        );
        Console.WriteLine(
            $"| navigation to the circuit live | {live.Percentile(0.5):F0} | " + $"{live.Percentile(0.95):F0} |"
        );
        return 0;
    }

    /// <summary>
    /// When each page first showed the probe, by its own observer. The pages are asked one after another, each until
    /// it has it: asking all at once, over and over, would take the CPU the walls need to render.
    /// </summary>
    private static async Task<double[]> SeenEverywhereAsync(List<IPage> pages, int probe)
    {
        var seen = new double[pages.Count];
        for (var i = 0; i < pages.Count; i++)
            seen[i] = await WallProbe.SeenAsync(
                pages[i],
                probe,
                TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(100)
            );
        return seen;
    }

    /// <summary>
    /// The app in this process on Kestrel (any type of the web assembly names it to the factory; the benchmarks have a
    /// Program of their own), its database prepared by the command line, and Chromium.
    /// </summary>
    private sealed class Host : IAsyncDisposable
    {
        public static readonly BrowserNewContextOptions Viewport = new()
        {
            ViewportSize = new() { Width = 1920, Height = 1080 },
        };

        private readonly BenchApp _app;
        private readonly WebApplicationFactory<DataChangeNotifier> _factory;
        private readonly IPlaywright _playwright;
        private readonly HttpClient _http;

        private Host(
            BenchApp app,
            WebApplicationFactory<DataChangeNotifier> factory,
            IPlaywright playwright,
            IBrowser browser,
            HttpClient http
        )
        {
            (_app, _factory, _playwright, Browser, _http) = (app, factory, playwright, browser, http);
        }

        public IBrowser Browser { get; }
        public string BaseUrl => _http.BaseAddress!.ToString().TrimEnd('/');
        public DataChangeNotifier Notifier => _factory.Services.GetRequiredService<DataChangeNotifier>();

        public static async Task<Host> StartAsync(string name)
        {
            var app = await BenchApp.CreateAsync(name);
            var key = await app.CreateKeyAsync(name);
            var factory = new WebApplicationFactory<DataChangeNotifier>().WithWebHostBuilder(builder =>
            {
                builder.UseSolutionRelativeContentRoot(Path.Combine("src", "ReleaseBoard.Web"));
                builder.UseEnvironment("Production");
                builder.UseSetting("ConnectionStrings:ReleaseBoard", $"Data Source={app.Database}");
                builder.UseSetting("DemoData:SeedOnEmptyDatabase", "false");
                builder.UseSetting("Access:AllowAnonymousViewing", "true");
                builder.UseSetting("Logging:LogLevel:Default", "Warning");
            });
            factory.UseKestrel(0);
            factory.StartServer();
            var playwright = await Playwright.CreateAsync();
            // Two hundred tabs in the background must keep running their timers and sockets.
            var browser = await WallProbe.LaunchChromiumAsync(
                playwright,
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"
            );
            var baseUrl = factory
                .Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!
                .Addresses.First();
            var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", key);
            return new Host(app, factory, playwright, browser, http);
        }

        /// <summary>Opens walls ten at a time, each live and observed before the next batch.</summary>
        public async Task<List<IPage>> OpenWallsAsync(int count)
        {
            var context = await Browser.NewContextAsync(Viewport);
            var pages = new List<IPage>();
            for (var opened = 0; opened < count; opened += 10)
            {
                var batch = await Task.WhenAll(
                    Enumerable
                        .Range(0, Math.Min(10, count - opened))
                        .Select(async _ =>
                        {
                            var page = await context.NewPageAsync();
                            await page.GotoAsync($"{BaseUrl}/wall/load");
                            await page.Locator("html[data-connection=live]")
                                .WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
                            await page.EvaluateAsync(WallProbe.Observe);
                            return page;
                        })
                );
                pages.AddRange(batch);
            }
            return pages;
        }

        public Task PostCatchAsync(int probe) => WallProbe.PostAsync(_http, probe);

        /// <summary>Managed heap after two forced, blocking, compacting full collections.</summary>
        public static long ManagedMemoryAfterFullCollection()
        {
            for (var i = 0; i < 2; i++)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
            }
            return GC.GetTotalMemory(forceFullCollection: true);
        }

        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
            _http?.Dispose();
            await _factory.DisposeAsync();
            _app.Dispose();
        }
    }
}
