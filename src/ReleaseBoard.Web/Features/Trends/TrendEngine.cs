using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// The one engine behind the trends page, the metrics API and its CSV, and the wall's trend lines: every figure of
/// DESIGN.md §4, bucketed by week or month in the scope's time zone.
/// </summary>
/// <remarks>
/// Bucket edges are computed in C# (daylight saving included) and handed to the database as UTC constants; counts
/// are grouped in the database by a bucket number computed from those edges. Only the figures that need the values
/// themselves load them, as narrow projections: medians and percentiles (lead time, shelf time, time to roll back,
/// MTTR), and production downtime, which is a union of intervals. Every query is plain LINQ with no provider-only
/// function, so SQLite and SQL Server run the same shape.
/// </remarks>
public sealed class TrendEngine(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>All teams are bucketed in UTC: teams in different zones have no common local midnight.</summary>
    public static readonly TimeZoneInfo AllTeamsTimeZone = TimeZoneInfo.Utc;

    /// <summary>Resolves the scope from slugs; null team = all teams. Errors name what was not found.</summary>
    public async Task<(TrendScope? Scope, string? Error)> ResolveScopeAsync(string? teamSlug, string? serviceSlug, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (string.IsNullOrEmpty(teamSlug))
        {
            if (!string.IsNullOrEmpty(serviceSlug)) return (null, "Choose a team to narrow the trends to one of its services.");
            return (new TrendScope(null, null, "All teams", null, null, AllTeamsTimeZone), null);
        }

        var team = await db.Teams.AsNoTracking().Where(t => t.Slug == teamSlug)
            .Select(t => new { t.Id, t.Slug, t.Name, t.TimeZoneId }).SingleOrDefaultAsync(cancellationToken);
        if (team is null) return (null, $"There is no team \"{teamSlug}\".");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(team.TimeZoneId);
        if (string.IsNullOrEmpty(serviceSlug)) return (new TrendScope(team.Id, team.Slug, team.Name, null, null, zone), null);

        var service = await db.Services.AsNoTracking().Where(s => s.TeamId == team.Id && s.Slug == serviceSlug)
            .Select(s => new { s.Id, s.Slug, s.Name }).SingleOrDefaultAsync(cancellationToken);
        if (service is null) return (null, $"Team \"{teamSlug}\" has no service \"{serviceSlug}\".");
        return (new TrendScope(team.Id, team.Slug, $"{team.Name} · {service.Name}", service.Id, service.Slug, zone), null);
    }

    /// <summary>Every figure for the buckets covering the local dates [from, to).</summary>
    public async Task<TrendReport> ComputeAsync(TrendScope scope, DateOnly from, DateOnly to, BucketSize size, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var buckets = BucketCalendar.Split(from, to, size, scope.TimeZone);
        var rangeFrom = buckets[0].FromUtc;
        var rangeTo = buckets[^1].ToUtc;
        var figuresTo = Min(rangeTo, now); // nothing has happened after now; the current bucket is partial

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stages = await StagesAsync(db, scope, cancellationToken);

        var deployments = ProductionDeployments(db, stages)
            .Where(d => d.Kind == DeploymentKind.Normal && d.FinishedAt >= rangeFrom && d.FinishedAt < rangeTo);
        var counting = deployments.Where(d => d.Outcome == DeploymentOutcome.Succeeded || d.Outcome == DeploymentOutcome.RolledBack);

        var deploymentCounts = (await counting
                .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
                .Select(g => new
                {
                    Bucket = g.Key,
                    Counting = g.Count(),
                    Succeeded = g.Count(d => d.Outcome == DeploymentOutcome.Succeeded),
                    RolledBack = g.Count(d => d.Outcome == DeploymentOutcome.RolledBack),
                })
                .ToListAsync(cancellationToken))
            .ToDictionary(c => c.Bucket);

        // Named as the cause of a failure but not rolled back: rolled back ones are already counted, and a deployment
        // counts once however many incidents name it.
        var causedCounts = (await counting
                .Where(d => d.Outcome == DeploymentOutcome.Succeeded
                            && db.Incidents.Any(i => i.CausingDeploymentId == d.Id && i.Severity <= i.Service.Team.CountingSeverityThreshold))
                .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
                .Select(g => new { Bucket = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken))
            .ToDictionary(c => c.Bucket, c => c.Count);

        var catchCounts = (await CountingCatches(db, scope)
                .Where(c => c.CaughtAt >= rangeFrom && c.CaughtAt < rangeTo)
                .GroupBy(BucketNumber<Catch>(c => c.CaughtAt, buckets))
                .Select(g => new { Bucket = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken))
            .ToDictionary(c => c.Bucket, c => c.Count);

        // Downtime is a union of intervals and MTTR has a median and a percentile: both need the failures themselves.
        var failures = await CountingFailures(db, scope)
            .Where(i => i.ImpactStartedAt < figuresTo && (i.ResolvedAt == null || i.ResolvedAt > rangeFrom))
            .Select(i => new FailureInterval(i.ImpactStartedAt, i.ResolvedAt))
            .ToListAsync(cancellationToken);

        // Lead time and shelf time are medians, so their values travel: two or three timestamps per deployment.
        var preProductionIds = stages.PreProductionIds;
        var succeeded = await deployments
            .Where(d => d.Outcome == DeploymentOutcome.Succeeded)
            .Select(d => new
            {
                FinishedAt = d.FinishedAt!.Value,
                d.CommitAt,
                PassedPreProductionAt = db.Deployments
                    .Where(p => p.ServiceId == d.ServiceId && p.Version == d.Version && preProductionIds.Contains(p.EnvironmentId)
                                && p.Outcome == DeploymentOutcome.Succeeded && p.Kind == DeploymentKind.Normal)
                    .Min(p => p.FinishedAt),
            })
            .ToListAsync(cancellationToken);

        var rollbacks = await ProductionDeployments(db, stages)
            .Where(d => d.Kind == DeploymentKind.Rollback && d.Outcome == DeploymentOutcome.Succeeded
                        && d.FinishedAt >= rangeFrom && d.FinishedAt < rangeTo)
            .Select(d => new { d.StartedAt, FinishedAt = d.FinishedAt!.Value })
            .ToListAsync(cancellationToken);

        // Lead time ignores values ≤ 0 (clock skew). A version in production before it passed pre-production (a hotfix)
        // spent no time on the shelf; so does a rollback "faster than instant": negative durations are bad data.
        var leadTimes = Samples(buckets, succeeded.Where(s => s.CommitAt is not null).Select(s => (s.FinishedAt, s.FinishedAt - s.CommitAt!.Value)), v => v > TimeSpan.Zero);
        var shelfTimes = Samples(buckets, succeeded.Where(s => s.PassedPreProductionAt is not null).Select(s => (s.FinishedAt, s.FinishedAt - s.PassedPreProductionAt!.Value)), v => v >= TimeSpan.Zero);
        var rollbackTimes = Samples(buckets, rollbacks.Select(r => (r.FinishedAt, r.FinishedAt - r.StartedAt)), v => v >= TimeSpan.Zero);

        var figures = new List<BucketFigures>(buckets.Count);
        foreach (var bucket in buckets)
        {
            var i = bucket.Index;
            var isPartial = bucket.ToUtc > now;
            var end = Min(bucket.ToUtc, now);
            var reliability = end > bucket.FromUtc
                ? ReliabilityCalculator.Calculate(failures, bucket.FromUtc, end, now)
                : ReliabilityCalculator.Empty(bucket.FromUtc, bucket.ToUtc);
            var catches = catchCounts.GetValueOrDefault(i);
            var deployed = deploymentCounts.GetValueOrDefault(i);
            figures.Add(new BucketFigures(
                bucket, isPartial, reliability, catches,
                CatchRatio: new Ratio(catches, catches + reliability.Failures),
                SucceededDeployments: deployed?.Succeeded ?? 0,
                ChangeFailureRate: new Ratio((deployed?.RolledBack ?? 0) + causedCounts.GetValueOrDefault(i), deployed?.Counting ?? 0),
                LeadTime: Median(leadTimes[i]),
                TimeToRollBack: Median(rollbackTimes[i]),
                ShelfTime: Median(shelfTimes[i])));
        }

        var (daysSince, marks) = await DaysSinceHistoryAsync(db, scope, buckets[0].LocalStart, buckets[^1].LocalEnd, now, cancellationToken);
        return new TrendReport(scope, buckets[0].LocalStart, buckets[^1].LocalEnd, size, figures, daysSince, marks, now);
    }

    /// <summary>
    /// The rolling figure as it stood at the end of each of the last <paramref name="weeks"/> weeks (the last point
    /// is now): MTBF and MTTR over [end − window, end). This is how the wall's 90-day figures moved, so its trend line
    /// is defined whenever the figure itself is, instead of breaking at every week without a failure.
    /// </summary>
    public async Task<IReadOnlyList<ReliabilityFigures>> RollingReliabilityAsync(TrendScope scope, int weeks, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ends = Enumerable.Range(0, weeks).Select(k => now.AddDays(-7 * (weeks - 1 - k))).ToList();
        var from = ends[0] - window;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var failures = await CountingFailures(db, scope)
            .Where(i => i.ImpactStartedAt < now && (i.ResolvedAt == null || i.ResolvedAt > from))
            .Select(i => new FailureInterval(i.ImpactStartedAt, i.ResolvedAt))
            .ToListAsync(cancellationToken);
        // As it stood then: a failure resolved after that week's end was still open at the time.
        return ends.Select(end => ReliabilityCalculator.Calculate(
                failures.Where(f => f.ImpactStartUtc < end).Select(f => f.ResolvedUtc > end ? f with { ResolvedUtc = null } : f),
                end - window, end, end))
            .ToList();
    }

    /// <summary>
    /// Value waiting on the shelf now (DESIGN.md §4): versions that passed the stage before production and are not in
    /// production, nor overtaken there by a version that passed after them. Returns how many, and since when the oldest waits.
    /// </summary>
    public async Task<ShelfNow> WaitingOnShelfAsync(TrendScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stages = await StagesAsync(db, scope, cancellationToken);
        var preProductionIds = stages.PreProductionIds;
        var productionIds = stages.ProductionIds;
        var passed = db.Deployments.Where(p => preProductionIds.Contains(p.EnvironmentId)
                                               && p.Outcome == DeploymentOutcome.Succeeded && p.Kind == DeploymentKind.Normal);
        var waiting = await passed
            .Where(p => !db.Deployments.Any(d =>
                d.ServiceId == p.ServiceId && productionIds.Contains(d.EnvironmentId)
                && d.Outcome == DeploymentOutcome.Succeeded && d.Kind == DeploymentKind.Normal
                && (d.Version == p.Version
                    || (d.FinishedAt > p.FinishedAt
                        && passed.Any(q => q.ServiceId == d.ServiceId && q.Version == d.Version && q.FinishedAt >= p.FinishedAt)))))
            .GroupBy(p => new { p.ServiceId, p.Version })
            .Select(g => g.Min(p => p.FinishedAt))
            .ToListAsync(cancellationToken);
        return new ShelfNow(waiting.Count, waiting.Count == 0 ? null : waiting.Min());
    }

    /// <summary>
    /// The days-since count at the end of each local day of the range (up to today), and the catches that reset it.
    /// Catches are few (they are the rare, memorable events), so their times are read directly.
    /// </summary>
    private static async Task<(IReadOnlyList<DaysSincePoint>, IReadOnlyList<CatchMark>)> DaysSinceHistoryAsync(
        ReleaseBoardDbContext db, TrendScope scope, DateOnly from, DateOnly to, DateTime now, CancellationToken cancellationToken)
    {
        var zone = scope.TimeZone;
        var rangeFrom = BucketCalendar.LocalMidnightToUtc(from, zone);
        var rangeTo = BucketCalendar.LocalMidnightToUtc(to, zone);
        var catches = CountingCatches(db, scope);

        var before = await catches.Where(c => c.CaughtAt < rangeFrom).MaxAsync(c => (DateTime?)c.CaughtAt, cancellationToken);
        var inRange = await catches
            .Where(c => c.CaughtAt >= rangeFrom && c.CaughtAt < rangeTo)
            .OrderBy(c => c.CaughtAt)
            .Select(c => new { c.CaughtAt, c.Title, ServiceName = c.Service.Name, c.Severity })
            .ToListAsync(cancellationToken);

        var marks = inRange
            .Select(c => new CatchMark(CatchStreakCalculator.LocalDate(c.CaughtAt, zone), c.CaughtAt, c.Title, c.ServiceName, c.Severity))
            .ToList();
        var today = CatchStreakCalculator.LocalDate(now, zone);
        var last = before is { } b ? CatchStreakCalculator.LocalDate(b, zone) : (DateOnly?)null;
        var points = new List<DaysSincePoint>();
        var next = 0;
        for (var day = from; day < to && day <= today; day = day.AddDays(1))
        {
            while (next < marks.Count && marks[next].Date <= day) last = marks[next++].Date;
            points.Add(new DaysSincePoint(day, last is { } l ? day.DayNumber - l.DayNumber : null));
        }
        return (points, marks);
    }

    /// <summary>The production stage of each service in scope, and the stage just before it ("pre-production").</summary>
    private sealed record Stages(IReadOnlyList<int> ProductionIds, IReadOnlyList<int> PreProductionIds);

    private static async Task<Stages> StagesAsync(ReleaseBoardDbContext db, TrendScope scope, CancellationToken cancellationToken)
    {
        var environments = await db.Environments.AsNoTracking()
            .Where(e => scope.ServiceId != null ? e.ServiceId == scope.ServiceId : scope.TeamId == null || e.Service.TeamId == scope.TeamId)
            .Select(e => new { e.Id, e.ServiceId, e.Order, e.IsProduction })
            .ToListAsync(cancellationToken);
        var production = new List<int>();
        var preProduction = new List<int>();
        foreach (var service in environments.GroupBy(e => e.ServiceId))
        {
            foreach (var prod in service.Where(e => e.IsProduction))
            {
                production.Add(prod.Id);
                var before = service.Where(e => !e.IsProduction && e.Order < prod.Order).MaxBy(e => e.Order);
                if (before is not null) preProduction.Add(before.Id);
            }
        }
        return new Stages(production, preProduction.Distinct().ToList());
    }

    private static IQueryable<Deployment> ProductionDeployments(ReleaseBoardDbContext db, Stages stages)
    {
        var ids = stages.ProductionIds;
        return db.Deployments.Where(d => ids.Contains(d.EnvironmentId));
    }

    private static IQueryable<Incident> CountingFailures(ReleaseBoardDbContext db, TrendScope scope) =>
        InScope(db.Incidents, scope).Where(i => i.Severity <= i.Service.Team.CountingSeverityThreshold);

    private static IQueryable<Catch> CountingCatches(ReleaseBoardDbContext db, TrendScope scope) =>
        InScope(db.Catches, scope).Where(c => c.Severity <= c.Service.Team.CountingSeverityThreshold);

    private static IQueryable<Incident> InScope(IQueryable<Incident> incidents, TrendScope scope) =>
        scope.ServiceId is int service ? incidents.Where(i => i.ServiceId == service)
        : scope.TeamId is int team ? incidents.Where(i => i.Service.TeamId == team)
        : incidents;

    private static IQueryable<Catch> InScope(IQueryable<Catch> catches, TrendScope scope) =>
        scope.ServiceId is int service ? catches.Where(c => c.ServiceId == service)
        : scope.TeamId is int team ? catches.Where(c => c.Service.TeamId == team)
        : catches;

    /// <summary>
    /// The bucket number of a row, for GROUP BY in the database: the count of bucket starts (after the first) at or
    /// before the row's time, Σ (time ≥ edge ? 1 : 0). A flat sum of CASEs, not nested ones, because SQL Server
    /// refuses CASE nested deeper than ten; the sum is built as a balanced tree so the expression stays shallow.
    /// </summary>
    public static Expression<Func<T, int>> BucketNumber<T>(Expression<Func<T, DateTime>> time, IReadOnlyList<Bucket> buckets)
    {
        var terms = buckets.Skip(1)
            .Select(b => (Expression)Expression.Condition(
                Expression.GreaterThanOrEqual(time.Body, Expression.Constant(b.FromUtc)),
                Expression.Constant(1), Expression.Constant(0)))
            .ToList();
        var body = terms.Count == 0 ? Expression.Constant(0) : Sum(terms, 0, terms.Count);
        return Expression.Lambda<Func<T, int>>(body, time.Parameters);

        static Expression Sum(List<Expression> terms, int start, int count) => count == 1
            ? terms[start]
            : Expression.Add(Sum(terms, start, count / 2), Sum(terms, start + count / 2, count - count / 2));
    }

    private static List<TimeSpan>[] Samples(IReadOnlyList<Bucket> buckets, IEnumerable<(DateTime At, TimeSpan Value)> values, Func<TimeSpan, bool> isValid)
    {
        var samples = buckets.Select(_ => new List<TimeSpan>()).ToArray();
        foreach (var (at, value) in values)
        {
            if (!isValid(value)) continue;
            var index = BucketCalendar.IndexOf(buckets, at);
            if (index >= 0) samples[index].Add(value);
        }
        return samples;
    }

    private static MedianOf Median(List<TimeSpan> values) => new(Statistics.Median(values), values.Count);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
