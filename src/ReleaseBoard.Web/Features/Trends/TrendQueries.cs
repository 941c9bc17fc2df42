using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>The production stage of each service in scope, and the stage just before it ("pre-production").</summary>
public sealed record EnvironmentIds(IReadOnlyList<int> ProductionIds, IReadOnlyList<int> PreProductionIds)
{
    /// <summary>Each service's stage before production, with its production stage.</summary>
    public IReadOnlyList<EnvironmentPair> Pairs { get; init; } = [];
}

public sealed record EnvironmentPair(int ServiceId, int PreProductionId, int ProductionId);

public sealed record RecentPass(string Version, DateTime PassedAt, bool InProduction);

public sealed record EnvironmentOrder(int Id, int ServiceId, int Order, bool IsProduction);

public sealed record DeploymentBucketCount(int Bucket, int Counting, int Succeeded, int RolledBack);

public sealed record BucketCount(int Bucket, int Count);

public sealed record DeploymentInBucket(long Id, int Bucket);

/// <summary>Production deployments that went live in a bucket (rollbacks included), and how many rolled back.</summary>
public sealed record LiveDeploymentCount(int Bucket, int Live, int Rollbacks);

/// <summary>
/// A failed deployment's bucket and the seconds from its going live to each deployment that may have restored it.
/// </summary>
public sealed record RecoverySample(long Id, int Bucket, double? ByRollback, double? ByFix, double? ByNextDeployment);

/// <summary>
/// A row's bucket and up to two durations in seconds, computed in the database (no timestamps to parse).
/// </summary>
public sealed record DurationSample(int Bucket, double? First, double? Second);

public sealed record CatchRow(DateTime CaughtAt, string Title, string ServiceName, int Severity);

/// <summary>
/// Every query of the trend engine as a queryable, so a test compiles each one for both providers.
/// </summary>
public sealed class TrendQueries(ReleaseBoardDbContext db, TrendScope scope)
{
    public IQueryable<EnvironmentOrder> Environments() =>
        db
            .Environments.AsNoTracking()
            .Where(e =>
                scope.ServiceId != null
                    ? e.ServiceId == scope.ServiceId
                    : scope.TeamId == null || e.Service.TeamId == scope.TeamId
            )
            .Select(e => new EnvironmentOrder(e.Id, e.ServiceId, e.Order, e.IsProduction));

    /// <summary>
    /// Production deployments that went live (outcome succeeded or rolled back, kind normal), counted per bucket.
    /// </summary>
    public IQueryable<DeploymentBucketCount> DeploymentCounts(
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets
    ) =>
        Counting(environmentIds, buckets)
            .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
            .Select(g => new DeploymentBucketCount(
                g.Key,
                g.Count(),
                g.Count(d => d.Outcome == DeploymentOutcome.Succeeded),
                g.Count(d => d.Outcome == DeploymentOutcome.RolledBack)
            ));

    /// <summary>
    /// Deployments that count, whose outcome is not "rolled back", but that a counting failure names as its cause:
    /// their ids and buckets. Driven from the few incidents that name a cause, not from every deployment in range. Any
    /// counting failure counts, whichever service it hit: a deployment of one service can break another.
    /// </summary>
    public IQueryable<DeploymentInBucket> NamedAsCause(EnvironmentIds environmentIds, IReadOnlyList<Bucket> buckets) =>
        db
            .Incidents.Where(i => i.CausingDeploymentId != null)
            .ThatCount()
            .Join(
                Counting(environmentIds, buckets).Where(d => d.Outcome == DeploymentOutcome.Succeeded),
                i => i.CausingDeploymentId,
                d => d.Id,
                (i, d) => d
            )
            .Select(InBucket(buckets));

    /// <summary>
    /// Deployments that count, whose outcome is not "rolled back", but that a succeeded rollback deployment reverted:
    /// a pipeline reports the rollback as a deployment of its own, naming the one it reverts.
    /// </summary>
    public IQueryable<DeploymentInBucket> RevertedByRollback(
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets
    ) =>
        db
            .Deployments.Where(r =>
                r.Kind == DeploymentKind.Rollback
                && r.Outcome == DeploymentOutcome.Succeeded
                && r.RollsBackDeploymentId != null
            )
            .Join(
                Counting(environmentIds, buckets).Where(d => d.Outcome == DeploymentOutcome.Succeeded),
                r => r.RollsBackDeploymentId,
                d => d.Id,
                (r, d) => d
            )
            .Select(InBucket(buckets));

    /// <summary>Deployments that count whose own outcome says they were rolled back.</summary>
    public IQueryable<DeploymentInBucket> RolledBackOutcomes(
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets
    ) =>
        Counting(environmentIds, buckets)
            .Where(d => d.Outcome == DeploymentOutcome.RolledBack)
            .Select(InBucket(buckets));

    /// <summary>
    /// Production deployments that went live, rollback deployments included: the denominator of the rework rate,
    /// with its rollbacks (rework by definition) counted alongside.
    /// </summary>
    public IQueryable<LiveDeploymentCount> LiveDeploymentCounts(
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets
    ) =>
        InRange(Production(environmentIds), buckets)
            .Where(d =>
                (
                    d.Kind == DeploymentKind.Normal
                    && (d.Outcome == DeploymentOutcome.Succeeded || d.Outcome == DeploymentOutcome.RolledBack)
                ) || (d.Kind == DeploymentKind.Rollback && d.Outcome == DeploymentOutcome.Succeeded)
            )
            .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
            .Select(g => new LiveDeploymentCount(g.Key, g.Count(), g.Count(d => d.Kind == DeploymentKind.Rollback)));

    /// <summary>
    /// Deployments that count and were reported as fixing a counting incident: the rest of the rework. Driven from
    /// the incidents, as the causes are.
    /// </summary>
    public IQueryable<DeploymentInBucket> IncidentFixes(EnvironmentIds environmentIds, IReadOnlyList<Bucket> buckets) =>
        db
            .Incidents.ThatCount()
            .Join(
                Counting(environmentIds, buckets).Where(d => d.FixesIncidentId != null),
                i => (long?)i.Id,
                d => d.FixesIncidentId,
                (i, d) => d
            )
            .Select(InBucket(buckets));

    /// <summary>
    /// For each failed deployment named: the seconds from its going live to its rollback, to the first successful
    /// production deployment of its service that fixes an incident it caused, and (for an outcome-only rollback, whose
    /// rollback was not reported) to the next successful deployment in its environment. The earliest restored it.
    /// </summary>
    public IQueryable<RecoverySample> RecoveryTimes(
        IReadOnlyList<long> failedIds,
        EnvironmentIds environmentIds,
        IReadOnlyList<Bucket> buckets
    )
    {
        var productionIds = environmentIds.ProductionIds;
        Expression<Func<Deployment, int, RecoverySample>> sample = (d, bucket) =>
            new RecoverySample(
                d.Id,
                bucket,
                DurationFunctions.SecondsBetween(
                    d.FinishedAt,
                    db.Deployments.Where(r =>
                            r.RollsBackDeploymentId == d.Id
                            && r.Kind == DeploymentKind.Rollback
                            && r.Outcome == DeploymentOutcome.Succeeded
                            && r.FinishedAt >= d.FinishedAt
                        )
                        .Min(r => r.FinishedAt)
                ),
                DurationFunctions.SecondsBetween(
                    d.FinishedAt,
                    db.Deployments.Where(f =>
                            f.ServiceId == d.ServiceId
                            && productionIds.Contains(f.EnvironmentId)
                            && f.Outcome == DeploymentOutcome.Succeeded
                            && f.FinishedAt >= d.FinishedAt
                            && f.FixesIncident != null
                            && f.FixesIncident.CausingDeploymentId == d.Id
                        )
                        .Min(f => f.FinishedAt)
                ),
                d.Outcome == DeploymentOutcome.RolledBack
                    ? DurationFunctions.SecondsBetween(
                        d.FinishedAt,
                        db.Deployments.Where(n =>
                                n.EnvironmentId == d.EnvironmentId
                                && n.Kind == DeploymentKind.Normal
                                && n.Outcome == DeploymentOutcome.Succeeded
                                && n.FinishedAt > d.FinishedAt
                            )
                            .Min(n => n.FinishedAt)
                    )
                    : null
            );
        return db.Deployments.Where(d => failedIds.Contains(d.Id)).Select(ByFinish(buckets, sample));
    }

    private static Expression<Func<Deployment, DeploymentInBucket>> InBucket(IReadOnlyList<Bucket> buckets) =>
        ByFinish(buckets, (d, bucket) => new DeploymentInBucket(d.Id, bucket));

    /// <summary>
    /// Writes a deployment's bucket (by its finish) into <paramref name="shape"/>'s second parameter: one projection
    /// the database computes, whatever shape the row takes.
    /// </summary>
    private static Expression<Func<Deployment, TRow>> ByFinish<TRow>(
        IReadOnlyList<Bucket> buckets,
        Expression<Func<Deployment, int, TRow>> shape
    )
    {
        Expression<Func<Deployment, DateTime>> finished = d => d.FinishedAt!.Value;
        var row = shape.Parameters[0];
        var bucket = ReplacingExpressionVisitor.Replace(
            finished.Parameters[0],
            row,
            BucketNumber(finished, buckets).Body
        );
        return Expression.Lambda<Func<Deployment, TRow>>(
            ReplacingExpressionVisitor.Replace(shape.Parameters[1], bucket, shape.Body),
            row
        );
    }

    public IQueryable<BucketCount> CatchCounts(IReadOnlyList<Bucket> buckets)
    {
        var (from, to) = (buckets[0].FromUtc, buckets[^1].ToUtc);
        return CountingCatches()
            .Where(c => c.CaughtAt >= from && c.CaughtAt < to)
            .GroupBy(BucketNumber<Catch>(c => c.CaughtAt, buckets))
            .Select(g => new BucketCount(g.Key, g.Count()));
    }

    /// <summary>
    /// Counting failures overlapping [from, to): downtime is a union of intervals, so the intervals travel.
    /// </summary>
    public IQueryable<FailureInterval> Failures(DateTime fromUtc, DateTime toUtc) =>
        CountingFailures()
            .Where(i => i.ImpactStartedAt < toUtc && (i.ResolvedAt == null || i.ResolvedAt > fromUtc))
            .Select(i => new FailureInterval(i.ImpactStartedAt, i.ResolvedAt));

    /// <summary>
    /// Per succeeded production deployment: its bucket, its lead time (First) and its shelf time (Second), in seconds.
    /// Medians need the values; each travels as one number, computed in the database.
    /// </summary>
    public IQueryable<DurationSample> LeadAndShelfTimes(EnvironmentIds environmentIds, IReadOnlyList<Bucket> buckets)
    {
        var preProductionIds = environmentIds.PreProductionIds;
        Expression<Func<Deployment, double?>> leadTime = d =>
            DurationFunctions.SecondsBetween(d.CommitAt, d.FinishedAt);
        Expression<Func<Deployment, double?>> shelfTime = d =>
            DurationFunctions.SecondsBetween(
                db.Deployments
                    // "+ 0" keeps the stage filter off the (EnvironmentId, …) index: given an IN list there, SQLite
                    // would walk every pre-production deployment of the scope per row instead of seeking (ServiceId,
                    // Version, FinishedAt).
                    .Where(p =>
                        p.ServiceId == d.ServiceId
                        && p.Version == d.Version
                        && preProductionIds.Contains(p.EnvironmentId + 0)
                        && p.Outcome == DeploymentOutcome.Succeeded
                        && p.Kind == DeploymentKind.Normal
                    )
                    .Min(p => p.FinishedAt),
                d.FinishedAt
            );
        return InRange(Production(environmentIds), buckets)
            .Where(d => d.Kind == DeploymentKind.Normal && d.Outcome == DeploymentOutcome.Succeeded)
            .Select(Sample(d => d.FinishedAt!.Value, buckets, leadTime, shelfTime));
    }

    /// <summary>Per succeeded production rollback: its bucket and its duration (First), in seconds.</summary>
    public IQueryable<DurationSample> RollbackTimes(EnvironmentIds environmentIds, IReadOnlyList<Bucket> buckets) =>
        InRange(Production(environmentIds), buckets)
            .Where(d => d.Kind == DeploymentKind.Rollback && d.Outcome == DeploymentOutcome.Succeeded)
            .Select(
                Sample<Deployment>(
                    d => d.FinishedAt!.Value,
                    buckets,
                    d => DurationFunctions.SecondsBetween(d.StartedAt, d.FinishedAt),
                    d => null
                )
            );

    /// <summary>Builds row => new DurationSample(bucket number, first, second) over one parameter.</summary>
    private static Expression<Func<T, DurationSample>> Sample<T>(
        Expression<Func<T, DateTime>> time,
        IReadOnlyList<Bucket> buckets,
        Expression<Func<T, double?>> first,
        Expression<Func<T, double?>> second
    )
    {
        var row = time.Parameters[0];
        return Expression.Lambda<Func<T, DurationSample>>(
            Expression.New(
                typeof(DurationSample).GetConstructors().Single(),
                BucketNumber(time, buckets).Body,
                ReplacingExpressionVisitor.Replace(first.Parameters[0], row, first.Body),
                ReplacingExpressionVisitor.Replace(second.Parameters[0], row, second.Body)
            ),
            row
        );
    }

    public IQueryable<DateTime> LatestCatchBefore(DateTime utc) =>
        CountingCatches()
            .Where(c => c.CaughtAt < utc)
            .OrderByDescending(c => c.CaughtAt)
            .Select(c => c.CaughtAt)
            .Take(1);

    public IQueryable<CatchRow> CatchesBetween(DateTime fromUtc, DateTime toUtc) =>
        CountingCatches()
            .Where(c => c.CaughtAt >= fromUtc && c.CaughtAt < toUtc)
            .OrderBy(c => c.CaughtAt)
            .Select(c => new CatchRow(c.CaughtAt, c.Title, c.Service.Name, c.Severity));

    /// <summary>
    /// A service's latest passes through its stage before production, newest first, each saying whether that version
    /// is in production. Whatever passed before the newest pass that reached production was overtaken by it.
    /// </summary>
    public IQueryable<RecentPass> RecentPasses(EnvironmentPair pair, int take) =>
        db
            .Deployments.Where(p =>
                p.EnvironmentId == pair.PreProductionId
                && p.Outcome == DeploymentOutcome.Succeeded
                && p.Kind == DeploymentKind.Normal
            )
            .OrderByDescending(p => p.FinishedAt)
            .Take(take)
            .Select(p => new RecentPass(
                p.Version,
                p.FinishedAt!.Value,
                db.Deployments.Any(d =>
                    d.ServiceId == pair.ServiceId
                    && d.Version == p.Version
                    && d.EnvironmentId == pair.ProductionId
                    && d.Outcome == DeploymentOutcome.Succeeded
                    && d.Kind == DeploymentKind.Normal
                )
            ));

    /// <summary>
    /// The bucket number of a row, for GROUP BY in the database, as a binary search over the bucket edges written as
    /// nested CASEs: about log2(n) comparisons a row instead of n. The depth stays within SQL Server's limit of ten
    /// nested CASEs for up to <see cref="TrendRange.MaxBuckets"/> buckets.
    /// </summary>
    public static Expression<Func<T, int>> BucketNumber<T>(
        Expression<Func<T, DateTime>> time,
        IReadOnlyList<Bucket> buckets
    )
    {
        if (buckets.Count > TrendRange.MaxBuckets)
            throw new ArgumentException($"At most {TrendRange.MaxBuckets} buckets.", nameof(buckets));
        return Expression.Lambda<Func<T, int>>(Search(0, buckets.Count), time.Parameters);

        // Buckets [low, high): below the middle bucket's start, search the lower half, otherwise the upper one.
        Expression Search(int low, int high)
        {
            if (high - low == 1)
                return Expression.Constant(low);
            var middle = (low + high) / 2;
            return Expression.Condition(
                Expression.LessThan(time.Body, Expression.Constant(buckets[middle].FromUtc)),
                Search(low, middle),
                Search(middle, high)
            );
        }
    }

    private IQueryable<Deployment> Production(EnvironmentIds environmentIds)
    {
        var ids = environmentIds.ProductionIds;
        return db.Deployments.Where(d => ids.Contains(d.EnvironmentId));
    }

    private static IQueryable<Deployment> InRange(IQueryable<Deployment> deployments, IReadOnlyList<Bucket> buckets)
    {
        var (from, to) = (buckets[0].FromUtc, buckets[^1].ToUtc);
        return deployments.Where(d => d.FinishedAt >= from && d.FinishedAt < to);
    }

    private IQueryable<Deployment> Counting(EnvironmentIds environmentIds, IReadOnlyList<Bucket> buckets) =>
        InRange(Production(environmentIds), buckets)
            .Where(d =>
                d.Kind == DeploymentKind.Normal
                && (d.Outcome == DeploymentOutcome.Succeeded || d.Outcome == DeploymentOutcome.RolledBack)
            );

    private IQueryable<Incident> CountingFailures()
    {
        var incidents =
            scope.ServiceId is int service ? db.Incidents.Where(i => i.ServiceId == service)
            : scope.TeamId is int team ? db.Incidents.Where(i => i.Service.TeamId == team)
            : db.Incidents;
        return incidents.ThatCount();
    }

    private IQueryable<Catch> CountingCatches()
    {
        var catches =
            scope.ServiceId is int service ? db.Catches.Where(c => c.ServiceId == service)
            : scope.TeamId is int team ? db.Catches.Where(c => c.Service.TeamId == team)
            : db.Catches;
        return catches.ThatCount();
    }
}

internal static class BucketGrouping
{
    /// <summary>
    /// GROUP BY bucket number, for any row shape (anonymous types included, which a record projection is not).
    /// </summary>
    public static IQueryable<IGrouping<int, T>> GroupByBucket<T>(
        this IQueryable<T> rows,
        Expression<Func<T, DateTime>> time,
        IReadOnlyList<Bucket> buckets
    ) => rows.GroupBy(TrendQueries.BucketNumber(time, buckets));
}
