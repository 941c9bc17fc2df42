using System.Diagnostics;
using System.Net;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// The promotion gate under a pipeline fleet's polling: the built app as its own process on loopback, a key from its
/// command line, requests at a fixed rate (open loop: a slow answer does not slow the next question down) for the
/// whole path, version check included. Target: p99 under 5 ms at 500 requests/s, no failed request.
/// </summary>
public static partial class IngestionLoad
{
    public static async Task<int> RunGateAsync(string[] args)
    {
        var seconds = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 20;
        var rate = args.Length > 2 && int.TryParse(args[2], out var r) ? r : 500;
        using var app = await BenchApp.CreateAsync("gate");
        Console.WriteLine(
            $"Gate load: {rate} requests/s for {seconds} s (after 10 s of warm-up) against {app.BaseUrl}"
        );
        SeedProduction(app);
        var key = await app.CreateKeyAsync("gate");
        await app.StartAsync();
        using var http = app.Client(key);

        await AskAtRateAsync(http, rate, TimeSpan.FromSeconds(10));
        var (latencies, errors) = await AskAtRateAsync(http, rate, TimeSpan.FromSeconds(seconds));
        await app.StopAsync();

        latencies.Sort();
        double Percentile(double p) => latencies.Percentile(p);
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| requests | {latencies.Count} ({latencies.Count / (double)seconds:F0}/s) |");
        Console.WriteLine($"| latency p50, ms | {Percentile(0.50):F2} |");
        Console.WriteLine($"| latency p99, ms | {Percentile(0.99):F2} |");
        Console.WriteLine($"| latency max, ms | {latencies[^1]:F1} |");
        Console.WriteLine($"| failed requests | {errors} |");
        var met = errors == 0 && Percentile(0.99) < 5;
        Console.WriteLine(
            $"Target: p99 under 5 ms at {rate} requests/s, no failed request: {(met ? "met" : "NOT met")}."
        );
        return met ? 0 : 1;
    }

    /// <summary>Fires one request every 1/rate seconds whatever the answers do, and times each.</summary>
    private static async Task<(List<double> LatenciesMs, int Errors)> AskAtRateAsync(
        HttpClient http,
        int rate,
        TimeSpan duration
    )
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var errors = 0;
        var start = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            else
                while (Stopwatch.GetTimestamp() < due)
                    Thread.SpinWait(50);
            var index = i;
            inFlight.Add(
                Task.Run(async () =>
                {
                    var sent = Stopwatch.GetTimestamp();
                    using var response = await http.GetAsync("/api/v1/gates/load-api/production?version=1.0.0");
                    latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    if (response.StatusCode != HttpStatusCode.OK)
                        Interlocked.Increment(ref errors);
                })
            );
        }
        await Task.WhenAll(inFlight);
        return (latencies.ToList(), errors);
    }

    /// <summary>
    /// Production after staging, continuous with a soak time, and a version that passed staging an hour ago.
    /// </summary>
    private static void SeedProduction(BenchApp app)
    {
        using var connection = app.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Environments (ServiceId, Name, "Order", IsProduction, PromotionMode, PromotionModeChangedAt,
                    ConcurrencyStamp, RequiredApprovals, SoakMinutes)
                SELECT Id, 'production', 1, 1, 'Continuous', '2026-01-01 00:00:00',
                    '00000000-0000-0000-0000-000000000002', 2, 30
                FROM Services WHERE Slug = 'load-api';
            INSERT INTO Deployments (ServiceId, EnvironmentId, Version, StartedAt, FinishedAt, Outcome, Kind, Trigger,
                    Source, ExternalId)
                SELECT s.Id, e.Id, '1.0.0', datetime('now', '-65 minutes'), datetime('now', '-60 minutes'),
                    'Succeeded', 'Normal', 'Automatic', 'seed', 'seed-1'
                FROM Services s JOIN Environments e ON e.ServiceId = s.Id AND e.Name = 'staging'
                WHERE s.Slug = 'load-api';
            """;
        command.ExecuteNonQuery();
    }
}
