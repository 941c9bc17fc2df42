using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// What Continuous promises in time, against the built app with its default intervals and a receiver on loopback:
/// from the moment a version's soak ends to the receiver's dispatch request (target p95 under 5 s), and from an
/// incident posted to the API to the Slack-format notification at the receiver (target p95 under 2 s).
/// </summary>
public static class DeliveryLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var samples = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 20;
        using var app = await BenchApp.CreateAsync("delivery");
        await using var receiver = await Receiver.StartAsync();
        Seed(app, samples);
        foreach (var service in Enumerable.Range(0, samples).Select(i => $"soak-{i}"))
            await app.RunAsync([
                "dispatch",
                "set",
                "--team",
                "load",
                "--service",
                service,
                "--environment",
                "production",
                "--url",
                receiver.BaseUrl + "/promote",
                "--generate",
            ]);
        await app.RunWithInputAsync(
            receiver.BaseUrl + "/services/T0/B0/bench",
            ["notify", "add", "--kind", "slack", "--name", "#bench", "--events", "paused-by-incident"]
        );
        var key = await app.CreateKeyAsync("delivery");
        await app.StartAsync();
        using var http = app.Client(key);

        Console.WriteLine(
            $"Delivery latency: {samples} soaks ending 0.5 s apart, then {samples} incidents 0.7-1.7 s apart"
        );
        var soak = await SoakToDispatchAsync(app, http, receiver, samples);
        var incident = await IncidentToSlackAsync(http, receiver, samples);

        Console.WriteLine();
        Console.WriteLine("| measure | p50, s | p95, s | max, s | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(Row("soak ends → dispatch request at the receiver", soak, "p95 < 5 s"));
        Console.WriteLine(Row("incident posted → Slack notification at the receiver", incident, "p95 < 2 s"));
        var met = soak.Percentile(0.95) < 5 && incident.Percentile(0.95) < 2;
        Console.WriteLine(met ? "Targets met." : "TARGETS MISSED.");
        return met ? 0 : 1;
    }

    private static string Row(string what, List<double> sorted, string target) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {what} | {sorted.Percentile(0.5):F2} | {sorted.Percentile(0.95):F2} | {sorted[^1]:F2} | {target} |"
        );

    /// <summary>A concurrency stamp as EF Core writes a Guid to SQLite, so updates find the row.</summary>
    private static string Stamp() => Guid.NewGuid().ToString().ToUpperInvariant();

    /// <summary>Services soak-i (staging → production, Continuous, a one-minute soak) and inc-i (Continuous).</summary>
    private static void Seed(BenchApp app, int samples)
    {
        using var connection = app.OpenDatabase();
        using var command = connection.CreateCommand();
        var sql = new System.Text.StringBuilder();
        foreach (var (prefix, soak) in new[] { ("soak", 1), ("inc", 0) })
            for (var i = 0; i < samples; i++)
                sql.Append(
                    CultureInfo.InvariantCulture,
                    $"""
                    INSERT INTO Services (TeamId, Slug, Name) VALUES (1, '{prefix}-{i}', '{prefix}-{i}');
                    INSERT INTO Environments (ServiceId, Name, "Order", IsProduction, PromotionMode,
                        PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes)
                        VALUES (last_insert_rowid(), 'staging', 0, 0, 'Manual', '2026-01-01 00:00:00',
                        '{Stamp()}', 2, 0);
                    INSERT INTO Environments (ServiceId, Name, "Order", IsProduction, PromotionMode,
                        PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes)
                        SELECT ServiceId, 'production', 1, 1, 'Continuous', '2026-01-01 00:00:00',
                        '{Stamp()}', 2, {soak} FROM Environments WHERE Id = last_insert_rowid();

                    """
                );
        command.CommandText = sql.ToString();
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Each version's soak ends a minute after ReleaseBoard learned of its staging pass (the gate's rule), read back
    /// from the store; the latency is from that instant to the receiver's request.
    /// </summary>
    private static async Task<List<double>> SoakToDispatchAsync(
        BenchApp app,
        HttpClient http,
        Receiver receiver,
        int samples
    )
    {
        for (var i = 0; i < samples; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var posted = await http.PostAsJsonAsync(
                "/api/v1/deployments",
                new
                {
                    service = $"soak-{i}",
                    environment = "staging",
                    version = $"1.{i}.0",
                    startedAt = now.AddMinutes(-2),
                    finishedAt = now,
                    outcome = "Succeeded",
                    externalId = $"soak-{i}",
                }
            );
            if (!posted.IsSuccessStatusCode)
                throw new InvalidOperationException(await posted.Content.ReadAsStringAsync());
            await Task.Delay(500);
        }
        var ends = new Dictionary<string, DateTime>();
        using (var connection = app.OpenDatabase())
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT d.Version, max(d.FinishedAt, d.OutcomeReceivedAt) FROM Deployments d
                JOIN Environments e ON e.Id = d.EnvironmentId WHERE e.Name = 'staging'
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
                ends[reader.GetString(0)] = DateTime
                    .SpecifyKind(DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture), DateTimeKind.Utc)
                    .AddMinutes(1);
        }
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (receiver.Dispatches.Count < samples && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        if (receiver.Dispatches.Count < samples)
            throw new TimeoutException($"Only {receiver.Dispatches.Count} of {samples} dispatches arrived.");
        return receiver
            .Dispatches.Select(d => (d.At - ends[Uri.UnescapeDataString(d.Key.Split('/')[^1])]).TotalSeconds)
            .Order()
            .ToList();
    }

    private static async Task<List<double>> IncidentToSlackAsync(HttpClient http, Receiver receiver, int samples)
    {
        var latencies = new List<double>();
        var jitter = new Random(12);
        for (var i = 0; i < samples; i++)
        {
            var title = $"latency probe {i}";
            var clock = Stopwatch.StartNew();
            var posted = await http.PostAsJsonAsync(
                "/api/v1/incidents",
                new
                {
                    service = $"inc-{i}",
                    severity = 1,
                    title,
                    startedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                    externalId = $"inc-{i}",
                }
            );
            if (!posted.IsSuccessStatusCode)
                throw new InvalidOperationException(
                    $"HTTP {(int)posted.StatusCode} {posted.RequestMessage?.RequestUri}: "
                        + (await posted.Content.ReadAsStringAsync())[..200]
                );
            while (
                !receiver.Slack.Any(body =>
                    body.Contains(title + "\"", StringComparison.Ordinal)
                    || body.Contains(title + ".", StringComparison.Ordinal)
                )
                && clock.Elapsed.TotalSeconds < 30
            )
                await Task.Delay(10);
            latencies.Add(clock.Elapsed.TotalSeconds);
            // Spread over the send loop's second, or every probe would land at the same point of it.
            await Task.Delay(700 + jitter.Next(1000));
        }
        return latencies.Order().ToList();
    }

    private sealed class Receiver : IAsyncDisposable
    {
        private WebApplication _app = null!;
        public ConcurrentQueue<(string Key, DateTime At)> Dispatches { get; } = new();
        public ConcurrentQueue<string> Slack { get; } = new();
        public string BaseUrl { get; private set; } = "";

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var receiver = new Receiver { _app = builder.Build() };
            receiver._app.MapPost("/promote", (HttpRequest request) =>
            {
                receiver.Dispatches.Enqueue((request.Headers["Idempotency-Key"].ToString(), DateTime.UtcNow));
                return Results.Ok();
            });
            receiver._app.MapPost("/services/{**rest}", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                receiver.Slack.Enqueue(await reader.ReadToEndAsync());
                return Results.Ok();
            });
            await receiver._app.StartAsync();
            receiver.BaseUrl = receiver
                ._app.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!
                .Addresses.First();
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
