using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// Sustained ingestion over HTTP on loopback into SQLite: the built app as its own process (as in production), a key
/// made with its command line, N concurrent clients posting deployments for a fixed time. Reports events/s and
/// p50/p99 latency, beside the raw single-row-commit insert rate of the same SQLite file in the same run, so the
/// HTTP + validation + EF overhead is visible. Bounded in time, loopback only.
/// </summary>
public static partial class IngestionLoad
{
    private const int Warmup = 15;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 20;
        var clients = args.Length > 2 && int.TryParse(args[2], out var c) ? c : 8;
        using var app = await BenchApp.CreateAsync("load");
        Console.WriteLine(
            $"Ingestion load: {Warmup} s warm-up, then {clients} clients for {seconds} s against "
                + $"{app.BaseUrl}, SQLite at {app.Database}"
        );
        var key = await app.CreateKeyAsync("load");
        await app.StartAsync();
        using var http = app.Client(key);

        // Warm-up: the JIT's tiers settle (dynamic PGO keeps optimising for several seconds), pools fill, SQLite's
        // page cache warms. What is measured after it is the steady state a busy pipeline sees.
        await PostManyAsync(http, clients, TimeSpan.FromSeconds(Warmup), "warmup");
        var (count, latencies, errors) = await PostManyAsync(http, clients, TimeSpan.FromSeconds(seconds), "load");
        await app.StopAsync();

        latencies.Sort();
        double Percentile(double p) => latencies.Percentile(p);
        var raw = RawInsertRate(app, TimeSpan.FromSeconds(Math.Min(seconds, 10)));

        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        // Stored events only: a failed request is no throughput.
        var eventsPerSecond = (count - errors) / (double)seconds;
        Console.WriteLine($"| HTTP ingestion, events/s | {eventsPerSecond:F0} |");
        Console.WriteLine($"| HTTP latency p50, ms | {Percentile(0.50):F1} |");
        Console.WriteLine($"| HTTP latency p99, ms | {Percentile(0.99):F1} |");
        Console.WriteLine($"| failed requests | {errors} |");
        Console.WriteLine($"| raw SQLite insert (one row per commit), rows/s | {raw:F0} |");
        Console.WriteLine();
        var met = errors == 0 && eventsPerSecond >= 2000 && Percentile(0.99) < 50;
        Console.WriteLine(
            "Target: at least 2,000 events/s with p99 under 50 ms and no failed request: "
                + $"{(met ? "met" : "NOT met")}."
        );
        return met ? 0 : 1;
    }

    private static async Task<(int Count, List<double> LatenciesMs, int Errors)> PostManyAsync(
        HttpClient http,
        int clients,
        TimeSpan duration,
        string prefix
    )
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>[clients];
        var errors = 0;
        await Task.WhenAll(
            Enumerable
                .Range(0, clients)
                .Select(async client =>
                {
                    latencies[client] = new List<double>(100_000);
                    for (var i = 0; Stopwatch.GetTimestamp() < until; i++)
                    {
                        var started = Stopwatch.GetTimestamp();
                        using var response = await http.PostAsJsonAsync(
                            "/api/v1/deployments",
                            new
                            {
                                service = "load-api",
                                environment = "staging",
                                version = $"1.{i}.0",
                                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                                finishedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                                outcome = "succeeded",
                                source = "load",
                                externalId = $"{prefix}-{client}-{i}",
                            }
                        );
                        latencies[client].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (response.StatusCode != HttpStatusCode.Created)
                            Interlocked.Increment(ref errors);
                    }
                })
        );
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count, all, errors);
    }

    /// <summary>
    /// What the file itself can take: one INSERT per transaction, as each ingested event is one commit.
    /// </summary>
    private static double RawInsertRate(BenchApp app, TimeSpan duration)
    {
        using var connection = app.OpenDatabase();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            pragma.ExecuteNonQuery();
        }
        var serviceId = Scalar(connection, "SELECT Id FROM Services WHERE Slug = 'load-api'");
        var environmentId = Scalar(
            connection,
            "SELECT Id FROM Environments WHERE Name = 'staging' AND ServiceId = " + serviceId
        );
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var rows = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText =
                "INSERT INTO Deployments (ServiceId, EnvironmentId, Version, StartedAt, FinishedAt, Outcome, Kind, "
                + "Trigger, Source, ExternalId) "
                + "VALUES ($s, $e, '1.0.0', '2026-01-01 00:00:00', '2026-01-01 00:01:00', 'Succeeded', 'Normal', "
                + "'Automatic', 'raw', $x)";
            insert.Parameters.AddWithValue("$s", serviceId);
            insert.Parameters.AddWithValue("$e", environmentId);
            insert.Parameters.AddWithValue("$x", $"raw-{rows}");
            insert.ExecuteNonQuery();
            transaction.Commit();
            rows++;
        }
        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
