using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// The trends engine on a large generated history: one million deployments, one hundred thousand incidents and fifty
/// thousand catches over 200 services (20 teams) and five years, in one SQLite file. Measures the trends of one team
/// and of all teams over 12 months, weekly (median of N runs after warm-up), beside a single hand-written SQL
/// aggregate over the same file in the same run. Targets: one team under 100 ms, all teams under 500 ms; the command
/// exits non-zero when one is missed. The dataset is generated once (deterministic seed) and kept in the temp folder.
/// </summary>
public static class TrendsLoad
{
    private const int Teams = 20,
        ServicesPerTeam = 10,
        Years = 5;
    private const int Deployments = 1_000_000,
        Incidents = 100_000,
        Catches = 50_000;
    private static readonly DateTime End = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Start = End.AddYears(-Years);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 21;
        var file = Path.Combine(Path.GetTempPath(), "releaseboard-bench", "trends-1m-v1.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var options = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        options.UseReleaseBoardDatabase(DatabaseProvider.Sqlite, $"Data Source={file}");
        var factory = new PooledDbContextFactory<ReleaseBoardDbContext>(options.Options);

        if (!File.Exists(file + ".complete"))
        {
            File.Delete(file);
            var generation = Stopwatch.StartNew();
            await GenerateAsync(factory);
            await File.WriteAllTextAsync(file + ".complete", "");
            Console.WriteLine($"Generated the dataset in {generation.Elapsed.TotalSeconds:0} s: {file}");
        }
        else
        {
            Console.WriteLine($"Reusing the dataset at {file} (delete it to generate again).");
            await using var db = await factory.CreateDbContextAsync();
            await db.Database.MigrateAsync(); // a dataset made by an older build gets the current indexes
        }

        // "Now" is the end of the generated history, so "the last 12 months" is full of data.
        var engine = new TrendEngine(factory, new FixedClock(End));
        var (team, _) = await engine.ResolveScopeAsync("team-07", null);
        var (all, _) = await engine.ResolveScopeAsync(null, null);
        var to = DateOnly.FromDateTime(End);
        var from = to.AddMonths(-12);
        if (args.Contains("--queries"))
        {
            await TimeEachQueryAsync(factory, team!, from, to);
            await TimeEachQueryAsync(factory, all!, from, to);
            return 0;
        }

        var oneTeam = await MeasureAsync(runs, () => engine.ComputeAsync(team!, from, to, BucketSize.Week));
        var allTeams = await MeasureAsync(runs, () => engine.ComputeAsync(all!, from, to, BucketSize.Week));
        var handWritten = await MeasureAsync(runs, () => HandWrittenAggregateAsync(file, End.AddMonths(-12), End));
        var weeks = await HandWrittenAggregateAsync(file, End.AddMonths(-12), End);
        if (weeks < 50)
            throw new InvalidOperationException(
                $"The hand-written aggregate found {weeks} weeks: it is not measuring the data."
            );

        Console.WriteLine(
            $"Dataset: {Deployments:N0} deployments, {Incidents:N0} incidents, {Catches:N0} catches, "
                + $"{Teams * ServicesPerTeam} services, {Years} years."
        );
        Console.WriteLine($"Runs per figure: {runs} after 3 warm-up runs; median [min–max]; allocated per run.");
        Report("Trends, one team, 12 months, weekly", oneTeam, target: 100);
        Report("Trends, all teams, 12 months, weekly", allTeams, target: 500);
        Report("Hand-written SQL: weekly production deployment counts, all teams", handWritten, target: null);

        var met = oneTeam.Median < 100 && allTeams.Median < 500;
        Console.WriteLine(met ? "Targets met." : "TARGET MISSED.");
        SqliteConnection.ClearAllPools();
        return met ? 0 : 1;
    }

    /// <summary>
    /// Each query of the engine once, timed, with SQLite's plan: where to look when a target is missed.
    /// </summary>
    private static async Task TimeEachQueryAsync(
        IDbContextFactory<ReleaseBoardDbContext> factory,
        TrendScope scope,
        DateOnly from,
        DateOnly to
    )
    {
        var buckets = BucketCalendar.Split(from, to, BucketSize.Week, scope.TimeZone);
        await using var db = await factory.CreateDbContextAsync();
        var queries = new TrendQueries(db, scope);
        var environmentIds = await TrendEngine.EnvironmentIdsAsync(queries, CancellationToken.None);
        var named = new (string Name, IQueryable Query)[]
        {
            ("DeploymentCounts", queries.DeploymentCounts(environmentIds, buckets)),
            ("NamedAsCause", queries.NamedAsCause(environmentIds, buckets)),
            ("RevertedByRollback", queries.RevertedByRollback(environmentIds, buckets)),
            ("CatchCounts", queries.CatchCounts(buckets)),
            ("Failures", queries.Failures(buckets[0].FromUtc, buckets[^1].ToUtc)),
            ("LeadAndShelfTimes", queries.LeadAndShelfTimes(environmentIds, buckets)),
            ("RollbackTimes", queries.RollbackTimes(environmentIds, buckets)),
            ("CatchesBetween", queries.CatchesBetween(buckets[0].FromUtc, buckets[^1].ToUtc)),
        };
        Console.WriteLine($"— {scope.ScopeName}");
        foreach (var (name, query) in named)
        {
            var watch = Stopwatch.StartNew();
            var rows = 0;
            foreach (var _ in query)
                rows++;
            Console.WriteLine($"{name, -24} {watch.Elapsed.TotalMilliseconds, 9:0.0} ms  {rows, 7} rows");
            if (Environment.GetEnvironmentVariable("SHOW_PLAN") == "1")
            {
                var connection = (SqliteConnection)db.Database.GetDbConnection();
                await db.Database.OpenConnectionAsync();
                await using var explain = connection.CreateCommand();
                explain.CommandText = "EXPLAIN QUERY PLAN " + Inline(query.ToQueryString());
                await using var reader = await explain.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    Console.WriteLine("    " + reader.GetString(3));
            }
        }
    }

    /// <summary>ToQueryString declares parameters with .param set lines; SQLite's EXPLAIN needs them inlined.</summary>
    private static string Inline(string sql)
    {
        var lines = sql.Split('\n');
        var values = lines
            .Where(l => l.StartsWith(".param set "))
            .Select(l => l["".Length..].Split(' ', 4))
            .ToDictionary(p => p[2], p => p[3].Trim());
        var body = string.Join('\n', lines.Where(l => !l.StartsWith(".param set ")));
        foreach (var (name, value) in values.OrderByDescending(v => v.Key.Length))
            body = body.Replace(name, value);
        return body;
    }

    private sealed record Measurement(double Median, double Min, double Max, long BytesPerRun);

    private static async Task<Measurement> MeasureAsync<T>(int runs, Func<Task<T>> action)
    {
        for (var i = 0; i < 3; i++)
            await action();
        var times = new List<double>();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / runs;
        times.Sort();
        return new Measurement(times[times.Count / 2], times[0], times[^1], bytes);
    }

    private static void Report(string name, Measurement m, double? target) =>
        Console.WriteLine(
            $"{name, -68} {m.Median, 8:0.0} ms [{m.Min:0.0}–{m.Max:0.0}]  {m.BytesPerRun / 1024.0 / 1024.0:0.0} MB"
                + (target is { } t ? $"   target < {t} ms: {(m.Median < t ? "met" : "MISSED")}" : "")
        );

    /// <summary>
    /// The floor to compare with: one GROUP BY over the same indexed rows, written by hand for SQLite.
    /// </summary>
    private static async Task<int> HandWrittenAggregateAsync(string file, DateTime from, DateTime to)
    {
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT strftime('%Y-%W', d.FinishedAt) AS Week, COUNT(*), SUM(d.Outcome = 'Succeeded')
            FROM Deployments d JOIN Environments e ON e.Id = d.EnvironmentId
            WHERE e.IsProduction = 1 AND d.Kind = 'Normal' AND d.Outcome IN ('Succeeded', 'RolledBack')
              AND d.FinishedAt >= $from AND d.FinishedAt < $to
            GROUP BY Week
            """;
        command.Parameters.AddWithValue("$from", from.ToString("yyyy-MM-dd HH:mm:ss"));
        command.Parameters.AddWithValue("$to", to.ToString("yyyy-MM-dd HH:mm:ss"));
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows++;
        return rows;
    }

    /// <summary>
    /// A deterministic history: each service deploys to staging and then to production (most versions), some
    /// production deployments are rolled back or fail, incidents (some named after a deployment) and catches are
    /// spread over the five years with a realistic severity mix.
    /// </summary>
    private static async Task GenerateAsync(IDbContextFactory<ReleaseBoardDbContext> factory)
    {
        var random = new Random(20261127);
        var span = (End - Start).Ticks;
        DateTime At() => Start.AddTicks((long)(random.NextDouble() * span));

        var services = new List<(int ServiceId, int StagingId, int ProductionId)>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            for (var t = 0; t < Teams; t++)
            {
                var team = new Team
                {
                    Slug = $"team-{t:00}",
                    Name = $"Team {t:00}",
                    TimeZoneId = t % 2 == 0 ? "Europe/Berlin" : "America/New_York",
                    CreatedAt = Start,
                };
                for (var s = 0; s < ServicesPerTeam; s++)
                {
                    var service = new Service
                    {
                        Slug = $"service-{t:00}-{s}",
                        Name = $"service-{t:00}-{s}",
                        Team = team,
                    };
                    db.AddRange(
                        new ServiceEnvironment
                        {
                            Name = "staging",
                            Order = 0,
                            Service = service,
                        },
                        new ServiceEnvironment
                        {
                            Name = "production",
                            Order = 1,
                            IsProduction = true,
                            Service = service,
                        }
                    );
                }
            }
            await db.SaveChangesAsync();
            services = await db
                .Environments.GroupBy(e => e.ServiceId)
                .Select(g => new
                {
                    ServiceId = g.Key,
                    Staging = g.Where(e => !e.IsProduction).Min(e => e.Id),
                    Production = g.Where(e => e.IsProduction).Min(e => e.Id),
                })
                .Select(x => ValueTuple.Create(x.ServiceId, x.Staging, x.Production))
                .ToListAsync();
        }

        // Deployments: pairs of staging then production of the same version, about 5,000 per service over five years.
        const int batch = 50_000;
        var written = 0;
        var version = 0;
        while (written < Deployments)
        {
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < batch / 2 && written < Deployments; i++, written += 2)
            {
                var (serviceId, stagingId, productionId) = services[random.Next(services.Count)];
                var passed = At();
                var label = $"v{++version}";
                var outcome = random.Next(100) switch
                {
                    < 88 => DeploymentOutcome.Succeeded,
                    < 95 => DeploymentOutcome.RolledBack,
                    _ => DeploymentOutcome.Failed,
                };
                var live = passed.AddMinutes(30 + random.Next(3 * 24 * 60));
                db.Deployments.Add(
                    new Deployment
                    {
                        ServiceId = serviceId,
                        EnvironmentId = stagingId,
                        Version = label,
                        CommitAt = passed.AddHours(-random.Next(1, 48)),
                        StartedAt = passed.AddMinutes(-6),
                        FinishedAt = passed,
                        Outcome = DeploymentOutcome.Succeeded,
                        Trigger = DeploymentTrigger.Automatic,
                        Source = "bench",
                    }
                );
                db.Deployments.Add(
                    random.Next(100) < 3
                        ? new Deployment
                        {
                            ServiceId = serviceId,
                            EnvironmentId = productionId,
                            Version = label + "-rb",
                            StartedAt = live.AddMinutes(-4),
                            FinishedAt = live,
                            Outcome = DeploymentOutcome.Succeeded,
                            Kind = DeploymentKind.Rollback,
                            Source = "bench",
                        }
                        : new Deployment
                        {
                            ServiceId = serviceId,
                            EnvironmentId = productionId,
                            Version = label,
                            CommitAt = passed.AddHours(-random.Next(1, 48)),
                            StartedAt = live.AddMinutes(-8),
                            FinishedAt = live,
                            Outcome = outcome,
                            Source = "bench",
                        }
                );
            }
            await db.SaveChangesAsync();
        }

        var productionDeploymentIds = new List<long>();
        await using (var db = await factory.CreateDbContextAsync())
            productionDeploymentIds = await db
                .Deployments.Where(d => d.Environment.IsProduction && d.Id % 97 == 0)
                .Select(d => d.Id)
                .ToListAsync();

        for (var done = 0; done < Incidents; done += batch)
        {
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < batch && done + i < Incidents; i++)
            {
                var (serviceId, _, _) = services[random.Next(services.Count)];
                var start = At();
                db.Incidents.Add(
                    new Incident
                    {
                        ServiceId = serviceId,
                        Severity = 1 + random.Next(4),
                        Title = "Generated failure",
                        ImpactStartedAt = start,
                        DetectedAt = start.AddMinutes(random.Next(30)),
                        ResolvedAt = start.AddMinutes(5 + random.Next(6 * 60)),
                        Source = "bench",
                        CausingDeploymentId =
                            random.Next(10) == 0
                                ? productionDeploymentIds[random.Next(productionDeploymentIds.Count)]
                                : null,
                    }
                );
            }
            await db.SaveChangesAsync();
        }

        for (var done = 0; done < Catches; done += batch)
        {
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < batch && done + i < Catches; i++)
            {
                var (serviceId, stagingId, _) = services[random.Next(services.Count)];
                var caught = At();
                db.Catches.Add(
                    new Catch
                    {
                        ServiceId = serviceId,
                        EnvironmentId = stagingId,
                        Severity = 1 + random.Next(4),
                        Title = "Generated catch",
                        ReportedBy = "bench",
                        CaughtAt = caught,
                        RecordedAt = caught,
                        Source = "bench",
                    }
                );
            }
            await db.SaveChangesAsync();
        }
    }

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }
}
