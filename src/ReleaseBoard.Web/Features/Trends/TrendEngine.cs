using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// The one engine behind the trends page, the metrics API and CSV, and the wall's trend lines (docs/metrics.md).
/// Bucket edges are computed here (daylight saving included); counts are grouped in the database, and only
/// medians, percentiles and downtime load values, as narrow projections.
/// </summary>
public sealed class TrendEngine(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>All teams are bucketed in UTC: teams in different zones have no common local midnight.</summary>
    public static readonly TimeZoneInfo AllTeamsTimeZone = TimeZoneInfo.Utc;

    /// <summary>Resolves the scope from slugs; null team = all teams. Errors name what was not found.</summary>
    public async Task<(TrendScope? Scope, string? Error)> ResolveScopeAsync(
        string? teamSlug,
        string? serviceSlug,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (string.IsNullOrEmpty(teamSlug))
        {
            if (!string.IsNullOrEmpty(serviceSlug))
                return (null, "Choose a team to narrow the trends to one of its services.");
            return (new TrendScope(null, null, "All teams", null, null, AllTeamsTimeZone), null);
        }

        var team = await db
            .Teams.AsNoTracking()
            .Where(t => t.Slug == teamSlug)
            .Select(t => new
            {
                t.Id,
                t.Slug,
                t.Name,
                t.TimeZoneId,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (team is null)
            return (null, $"There is no team \"{teamSlug}\".");
        var zone = TeamTime.Zone(team.TimeZoneId);
        if (string.IsNullOrEmpty(serviceSlug))
            return (new TrendScope(team.Id, team.Slug, team.Name, null, null, zone), null);

        var service = await db
            .Services.AsNoTracking()
            .Where(s => s.TeamId == team.Id && s.Slug == serviceSlug)
            .Select(s => new
            {
                s.Id,
                s.Slug,
                s.Name,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (service is null)
            return (null, $"Team \"{teamSlug}\" has no service \"{serviceSlug}\".");
        return (
            new TrendScope(team.Id, team.Slug, $"{team.Name} · {service.Name}", service.Id, service.Slug, zone),
            null
        );
    }

    /// <summary>Every figure for the buckets covering the local dates [from, to).</summary>
    public async Task<TrendReport> ComputeAsync(
        TrendScope scope,
        DateOnly from,
        DateOnly to,
        BucketSize size,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var buckets = BucketCalendar.Split(from, to, size, scope.TimeZone);
        var rangeFrom = buckets[0].FromUtc;
        var figuresTo = Min(buckets[^1].ToUtc, now); // nothing has happened after now; the current bucket is partial
        var today = TeamTime.LocalDate(now, scope.TimeZone);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var queries = new TrendQueries(db, scope);
        var environmentIds = await EnvironmentIdsAsync(queries, cancellationToken);

        // The one heavy read (a duration per production deployment, for the medians) runs on its own connection while
        // the grouped counts run on this one. Task.Run because SQLite's "async" calls complete synchronously.
        var leadAndShelfRead = Task.Run(
            async () =>
            {
                await using var own = await dbFactory.CreateDbContextAsync(cancellationToken);
                return await new TrendQueries(own, scope)
                    .LeadAndShelfTimes(environmentIds, buckets)
                    .ToListAsync(cancellationToken);
            },
            cancellationToken
        );

        var groupedRead = ReadGroupedAsync();
        // Both reads are awaited whatever happens, so a failure in one never leaves the other running unobserved.
        await Task.WhenAll(groupedRead, leadAndShelfRead);
        var (
            deploymentCounts,
            failedChanges,
            catchCounts,
            failures,
            rollbacks,
            (daysSince, marks),
            (live, reworkFixes, recoveries)
        ) = await groupedRead;
        var leadAndShelf = await leadAndShelfRead;

        // Lead time ignores values ≤ 0 (clock skew). A version in production before it passed pre-production (a hotfix)
        // spent no time on the shelf, and a rollback cannot take negative time: such values are bad data.
        var leadTimes = Samples(buckets.Count, leadAndShelf.Select(s => (s.Bucket, s.First)), v => v > TimeSpan.Zero);
        var shelfTimes = Samples(buckets.Count, leadAndShelf.Select(s => (s.Bucket, s.Second)), v =>
            v >= TimeSpan.Zero
        );
        var rollbackTimes = Samples(buckets.Count, rollbacks.Select(r => (r.Bucket, r.First)), v => v >= TimeSpan.Zero);

        var failedByBucket = failedChanges.CountBy(d => d.Bucket).ToDictionary(c => c.Key, c => c.Value);
        var figures = new List<BucketFigures>(buckets.Count);
        foreach (var bucket in buckets)
        {
            var i = bucket.Index;
            var end = Min(bucket.ToUtc, now);
            var reliability =
                end > bucket.FromUtc
                    ? ReliabilityCalculator.Calculate(failures, bucket.FromUtc, end, now)
                    : ReliabilityCalculator.Empty(bucket.FromUtc, bucket.ToUtc);
            var catches = catchCounts.GetValueOrDefault(i);
            var deployed = deploymentCounts.GetValueOrDefault(i);
            var isPartial = bucket.ToUtc > now;
            figures.Add(
                new BucketFigures(
                    bucket,
                    isPartial,
                    reliability,
                    catches,
                    CatchRatio: new Ratio(catches, catches + reliability.Failures),
                    SucceededDeployments: deployed?.Succeeded ?? 0,
                    ChangeFailureRate: new Ratio(
                        (deployed?.RolledBack ?? 0) + failedByBucket.GetValueOrDefault(i),
                        deployed?.Counting ?? 0
                    ),
                    LeadTime: Median(leadTimes[i]),
                    TimeToRollBack: Median(rollbackTimes[i]),
                    ShelfTime: Median(shelfTimes[i])
                )
                {
                    // The bucket still running is measured up to now: so far, today included.
                    DaysCounted = isPartial
                        ? Math.Clamp(today.DayNumber - bucket.LocalStart.DayNumber + 1, 0, bucket.CalendarDays)
                        : bucket.CalendarDays,
                    DaysSinceAtEnd = daysSince.LastOrDefault(p => p.Date < bucket.LocalEnd)?.Days,
                    ReworkRate = new Ratio(
                        (live.GetValueOrDefault(i)?.Rollbacks ?? 0) + reworkFixes.GetValueOrDefault(i),
                        live.GetValueOrDefault(i)?.Live ?? 0
                    ),
                    FailedDeploymentRecovery = FailedDeploymentRecovery.Calculate(recoveries[i]),
                }
            );
        }

        return new TrendReport(
            scope,
            buckets[0].LocalStart,
            buckets[^1].LocalEnd,
            size,
            figures,
            daysSince,
            marks,
            now
        );

        async Task<(
            Dictionary<int, DeploymentBucketCount>,
            List<DeploymentInBucket>,
            Dictionary<int, int>,
            List<FailureInterval>,
            List<DurationSample>,
            (IReadOnlyList<DaysSincePoint>, IReadOnlyList<CatchMark>),
            (Dictionary<int, LiveDeploymentCount>, Dictionary<int, int>, List<TimeSpan?>[])
        )> ReadGroupedAsync()
        {
            var deploymentCounts = (
                await queries.DeploymentCounts(environmentIds, buckets).ToListAsync(cancellationToken)
            ).ToDictionary(c => c.Bucket);
            var failedChanges = await OtherFailedChangesAsync(queries, environmentIds, buckets, cancellationToken);
            var catchCounts = (await queries.CatchCounts(buckets).ToListAsync(cancellationToken)).ToDictionary(
                c => c.Bucket,
                c => c.Count
            );
            var failures = await queries.Failures(rangeFrom, figuresTo).ToListAsync(cancellationToken);
            var rollbacks = await queries.RollbackTimes(environmentIds, buckets).ToListAsync(cancellationToken);
            var history = await DaysSinceHistoryAsync(
                queries,
                scope.TimeZone,
                buckets[0].LocalStart,
                buckets[^1].LocalEnd,
                now,
                cancellationToken
            );
            // Here, so DORA's reads overlap the duration read on the other connection instead of following it.
            var dora = await DoraReadAsync(queries, environmentIds, buckets, failedChanges, cancellationToken);
            return (deploymentCounts, failedChanges, catchCounts, failures, rollbacks, history, dora);
        }
    }

    /// <summary>
    /// DORA's rework (live production deployments per bucket, with the rollbacks, and the fixes of counting incidents)
    /// and each failed deployment's recovery time, by the bucket in which it went live (docs/metrics.md).
    /// </summary>
    private static async Task<(
        Dictionary<int, LiveDeploymentCount> Live,
        Dictionary<int, int> ReworkFixes,
        List<TimeSpan?>[] Recoveries
    )> DoraReadAsync(
        TrendQueries queries,
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets,
        IReadOnlyList<DeploymentInBucket> failedChanges,
        CancellationToken cancellationToken
    )
    {
        var live = (
            await queries.LiveDeploymentCounts(environmentIds, buckets).ToListAsync(cancellationToken)
        ).ToDictionary(c => c.Bucket);
        var fixes = (await queries.IncidentFixes(environmentIds, buckets).ToListAsync(cancellationToken))
            .DistinctBy(d => d.Id)
            .CountBy(d => d.Bucket)
            .ToDictionary(c => c.Key, c => c.Value);

        var failedIds = (await queries.RolledBackOutcomes(environmentIds, buckets).ToListAsync(cancellationToken))
            .Concat(failedChanges)
            .Select(d => d.Id)
            .Distinct()
            .ToList();
        var recoveries = Enumerable.Range(0, buckets.Count).Select(_ => new List<TimeSpan?>()).ToArray();
        if (failedIds.Count > 0)
        {
            var samples = await queries
                .RecoveryTimes(failedIds, environmentIds, buckets)
                .ToListAsync(cancellationToken);
            foreach (var s in samples)
                recoveries[s.Bucket]
                    .Add(
                        FailedDeploymentRecovery.RecoveredAfter(
                            Duration(s.ByRollback),
                            Duration(s.ByFix),
                            Duration(s.ByNextDeployment)
                        )
                    );
        }
        return (live, fixes, recoveries);
    }

    /// <summary>
    /// MTBF and MTTR over [end − window, end) at the end of each of the last weeks: how the wall's figures moved, so
    /// the line is defined wherever the figure is instead of breaking at each week without a failure.
    /// </summary>
    public async Task<IReadOnlyList<ReliabilityFigures>> RollingReliabilityAsync(
        TrendScope scope,
        int weeks,
        TimeSpan window,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ends = Enumerable.Range(0, weeks).Select(k => now.AddDays(-7 * (weeks - 1 - k))).ToList();
        var from = ends[0] - window;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var failures = await new TrendQueries(db, scope).Failures(from, now).ToListAsync(cancellationToken);
        // As it stood then: a failure resolved after that week's end was still open at the time.
        return ends.Select(end =>
                ReliabilityCalculator.Calculate(
                    failures
                        .Where(f => f.ImpactStartUtc < end)
                        .Select(f => f.ResolvedUtc > end ? f with { ResolvedUtc = null } : f),
                    end - window,
                    end,
                    end
                )
            )
            .ToList();
    }

    /// <summary>
    /// Value on the shelf now (docs/metrics.md): versions past the environment before production, not there and not
    /// overtaken; how many, and since when the oldest waits.
    /// </summary>
    public async Task<ShelfNow> WaitingOnShelfAsync(TrendScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var queries = new TrendQueries(db, scope);
        var environmentIds = await EnvironmentIdsAsync(queries, cancellationToken);
        var waiting = new List<DateTime>();
        foreach (var pair in environmentIds.Pairs)
        {
            for (var take = 50; ; take *= 4)
            {
                var passes = await queries.RecentPasses(pair, take).ToListAsync(cancellationToken);
                var reachedProduction = passes.FindIndex(p => p.InProduction);
                if (reachedProduction < 0 && passes.Count == take)
                    continue; // all of them wait: look further back
                var waitingPasses = reachedProduction < 0 ? passes : passes.Take(reachedProduction);
                // A version that passed twice since then counts once, from the earlier of those passes.
                waiting.AddRange(waitingPasses.GroupBy(p => p.Version).Select(g => g.Min(p => p.PassedAt)));
                break;
            }
        }
        return new ShelfNow(waiting.Count, waiting.Count == 0 ? null : waiting.Min());
    }

    /// <summary>
    /// The days-since count at the end of each local day of the range (up to today), and the catches that reset it.
    /// Catches are few (they are the rare, memorable events), so their times are read directly.
    /// </summary>
    private static async Task<(IReadOnlyList<DaysSincePoint>, IReadOnlyList<CatchMark>)> DaysSinceHistoryAsync(
        TrendQueries queries,
        TimeZoneInfo zone,
        DateOnly from,
        DateOnly to,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        var rangeFrom = BucketCalendar.LocalMidnightToUtc(from, zone);
        var rangeTo = BucketCalendar.LocalMidnightToUtc(to, zone);
        var before = (await queries.LatestCatchBefore(rangeFrom).ToListAsync(cancellationToken))
            .Cast<DateTime?>()
            .SingleOrDefault();
        var marks = (await queries.CatchesBetween(rangeFrom, rangeTo).ToListAsync(cancellationToken))
            .Select(c => new CatchMark(
                TeamTime.LocalDate(c.CaughtAt, zone),
                c.CaughtAt,
                c.Title,
                c.ServiceName,
                c.Severity
            ))
            .ToList();

        var today = TeamTime.LocalDate(now, zone);
        var last = before is { } b ? TeamTime.LocalDate(b, zone) : (DateOnly?)null;
        var points = new List<DaysSincePoint>();
        var next = 0;
        for (var day = from; day < to && day <= today; day = day.AddDays(1))
        {
            while (next < marks.Count && marks[next].Date <= day)
                last = marks[next++].Date;
            points.Add(new DaysSincePoint(day, last is { } l ? day.DayNumber - l.DayNumber : null));
        }
        return (points, marks);
    }

    /// <summary>
    /// The change failure rate over one window [from, to) of production deployments, as the trends define it: the
    /// readiness evidence beside the switch asks this, so the switch and the trends page can never disagree.
    /// </summary>
    public async Task<(int Failed, int Deployments)> ChangeFailuresAsync(
        TrendScope scope,
        DateTime fromUtc,
        DateTime toUtc,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var queries = new TrendQueries(db, scope);
        var environmentIds = await EnvironmentIdsAsync(queries, cancellationToken);
        Bucket[] window = [new Bucket(0, DateOnly.FromDateTime(fromUtc), DateOnly.FromDateTime(toUtc), fromUtc, toUtc)];
        var counts = await queries.DeploymentCounts(environmentIds, window).SingleOrDefaultAsync(cancellationToken);
        if (counts is null)
            return (0, 0);
        var others = await OtherFailedChangesAsync(queries, environmentIds, window, cancellationToken);
        return (counts.RolledBack + others.Count, counts.Counting);
    }

    /// <summary>
    /// Failed changes beyond "rolled back" outcomes: named as a cause by a counting failure, or reverted by a rollback;
    /// each deployment counts once.
    /// </summary>
    private static async Task<List<DeploymentInBucket>> OtherFailedChangesAsync(
        TrendQueries queries,
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets,
        CancellationToken cancellationToken
    ) =>
        (await queries.NamedAsCause(environmentIds, buckets).ToListAsync(cancellationToken))
            .Concat(await queries.RevertedByRollback(environmentIds, buckets).ToListAsync(cancellationToken))
            .DistinctBy(d => d.Id)
            .ToList();

    public static async Task<EnvironmentIds> EnvironmentIdsAsync(
        TrendQueries queries,
        CancellationToken cancellationToken
    )
    {
        var environments = await queries.Environments().ToListAsync(cancellationToken);
        var production = new List<int>();
        var preProduction = new List<int>();
        var pairs = new List<EnvironmentPair>();
        foreach (var service in environments.GroupBy(e => e.ServiceId))
        {
            foreach (var prod in service.Where(e => e.IsProduction))
            {
                production.Add(prod.Id);
                var before = PipelineOrder.EnvironmentBefore(service, prod.Order, e => e.Order);
                if (before is null)
                    continue;
                preProduction.Add(before.Id);
                pairs.Add(new EnvironmentPair(service.Key, before.Id, prod.Id));
            }
        }
        return new EnvironmentIds(production, preProduction.Distinct().ToList()) { Pairs = pairs };
    }

    private static List<TimeSpan>[] Samples(
        int buckets,
        IEnumerable<(int Bucket, double? Seconds)> values,
        Func<TimeSpan, bool> isValid
    )
    {
        var samples = Enumerable.Range(0, buckets).Select(_ => new List<TimeSpan>()).ToArray();
        foreach (var (bucket, seconds) in values)
        {
            if (seconds is not { } s)
                continue;
            // The database computes in doubles; whole milliseconds are what the timestamps carry that matters.
            var value = Duration(s)!.Value;
            if (isValid(value))
                samples[bucket].Add(value);
        }
        return samples;
    }

    private static TimeSpan? Duration(double? seconds) =>
        seconds is { } s ? TimeSpan.FromMilliseconds(Math.Round(s * 1000)) : null;

    private static MedianOf Median(List<TimeSpan> values) => new(Statistics.Median(values), values.Count);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
