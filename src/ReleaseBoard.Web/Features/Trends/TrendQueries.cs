using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>The production stage of each service in scope, and the stage just before it ("pre-production").</summary>
public sealed record Stages(IReadOnlyList<int> ProductionIds, IReadOnlyList<int> PreProductionIds);

public sealed record EnvironmentStage(int Id, int ServiceId, int Order, bool IsProduction);
public sealed record DeploymentBucketCount(int Bucket, int Counting, int Succeeded, int RolledBack);
public sealed record BucketCount(int Bucket, int Count);
public sealed record SucceededDeployment(DateTime FinishedAt, DateTime? CommitAt, DateTime? PassedPreProductionAt);
public sealed record RollbackDuration(DateTime StartedAt, DateTime FinishedAt);
public sealed record CatchRow(DateTime CaughtAt, string Title, string ServiceName, int Severity);

/// <summary>
/// Every query of the trend engine, as queryables, so the engine runs them and a test compiles each one for both
/// providers (<c>ToQueryString()</c>): plain LINQ only, no provider-only function. Counts are grouped in the database
/// by a bucket number computed from the bucket edges; the rest are narrow projections.
/// </summary>
public sealed class TrendQueries(ReleaseBoardDbContext db, TrendScope scope)
{
    public IQueryable<EnvironmentStage> Environments() => db.Environments.AsNoTracking()
        .Where(e => scope.ServiceId != null ? e.ServiceId == scope.ServiceId : scope.TeamId == null || e.Service.TeamId == scope.TeamId)
        .Select(e => new EnvironmentStage(e.Id, e.ServiceId, e.Order, e.IsProduction));

    /// <summary>Production deployments that went live (outcome succeeded or rolled back, kind normal), counted per bucket.</summary>
    public IQueryable<DeploymentBucketCount> DeploymentCounts(Stages stages, IReadOnlyList<Bucket> buckets) =>
        Counting(stages, buckets)
            .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
            .Select(g => new DeploymentBucketCount(
                g.Key,
                g.Count(),
                g.Count(d => d.Outcome == DeploymentOutcome.Succeeded),
                g.Count(d => d.Outcome == DeploymentOutcome.RolledBack)));

    /// <summary>
    /// Deployments that count, were not rolled back and are named as the cause of a failure, per bucket. Rolled back
    /// ones are counted already, and a deployment counts once however many incidents name it (EXISTS, not a join).
    /// </summary>
    public IQueryable<BucketCount> CausedFailureCounts(Stages stages, IReadOnlyList<Bucket> buckets) =>
        Counting(stages, buckets)
            .Where(d => d.Outcome == DeploymentOutcome.Succeeded
                        && db.Incidents.Any(i => i.CausingDeploymentId == d.Id && i.Severity <= i.Service.Team.CountingSeverityThreshold))
            .GroupBy(BucketNumber<Deployment>(d => d.FinishedAt!.Value, buckets))
            .Select(g => new BucketCount(g.Key, g.Count()));

    public IQueryable<BucketCount> CatchCounts(IReadOnlyList<Bucket> buckets)
    {
        var (from, to) = (buckets[0].FromUtc, buckets[^1].ToUtc);
        return CountingCatches()
            .Where(c => c.CaughtAt >= from && c.CaughtAt < to)
            .GroupBy(BucketNumber<Catch>(c => c.CaughtAt, buckets))
            .Select(g => new BucketCount(g.Key, g.Count()));
    }

    /// <summary>Counting failures overlapping [from, to): downtime is a union of intervals, so the intervals travel.</summary>
    public IQueryable<FailureInterval> Failures(DateTime fromUtc, DateTime toUtc) =>
        CountingFailures()
            .Where(i => i.ImpactStartedAt < toUtc && (i.ResolvedAt == null || i.ResolvedAt > fromUtc))
            .Select(i => new FailureInterval(i.ImpactStartedAt, i.ResolvedAt));

    /// <summary>Succeeded production deployments with what lead time and shelf time need: their medians need the values.</summary>
    public IQueryable<SucceededDeployment> SucceededDeployments(Stages stages, IReadOnlyList<Bucket> buckets)
    {
        var preProductionIds = stages.PreProductionIds;
        return InRange(Production(stages), buckets)
            .Where(d => d.Kind == DeploymentKind.Normal && d.Outcome == DeploymentOutcome.Succeeded)
            .Select(d => new SucceededDeployment(
                d.FinishedAt!.Value,
                d.CommitAt,
                db.Deployments
                    .Where(p => p.ServiceId == d.ServiceId && p.Version == d.Version && preProductionIds.Contains(p.EnvironmentId)
                                && p.Outcome == DeploymentOutcome.Succeeded && p.Kind == DeploymentKind.Normal)
                    .Min(p => p.FinishedAt)));
    }

    public IQueryable<RollbackDuration> Rollbacks(Stages stages, IReadOnlyList<Bucket> buckets) =>
        InRange(Production(stages), buckets)
            .Where(d => d.Kind == DeploymentKind.Rollback && d.Outcome == DeploymentOutcome.Succeeded)
            .Select(d => new RollbackDuration(d.StartedAt, d.FinishedAt!.Value));

    public IQueryable<DateTime> LatestCatchBefore(DateTime utc) =>
        CountingCatches().Where(c => c.CaughtAt < utc).OrderByDescending(c => c.CaughtAt).Select(c => c.CaughtAt).Take(1);

    public IQueryable<CatchRow> CatchesBetween(DateTime fromUtc, DateTime toUtc) =>
        CountingCatches()
            .Where(c => c.CaughtAt >= fromUtc && c.CaughtAt < toUtc)
            .OrderBy(c => c.CaughtAt)
            .Select(c => new CatchRow(c.CaughtAt, c.Title, c.Service.Name, c.Severity));

    /// <summary>
    /// When each version now waiting on the shelf first passed pre-production: it passed, and production has neither
    /// that version nor one that passed pre-production at or after it (which carries its changes along).
    /// </summary>
    public IQueryable<DateTime?> WaitingOnShelf(Stages stages)
    {
        var (preProductionIds, productionIds) = (stages.PreProductionIds, stages.ProductionIds);
        var passed = db.Deployments.Where(p => preProductionIds.Contains(p.EnvironmentId)
                                               && p.Outcome == DeploymentOutcome.Succeeded && p.Kind == DeploymentKind.Normal);
        return passed
            .Where(p => !db.Deployments.Any(d =>
                d.ServiceId == p.ServiceId && productionIds.Contains(d.EnvironmentId)
                && d.Outcome == DeploymentOutcome.Succeeded && d.Kind == DeploymentKind.Normal
                && (d.Version == p.Version
                    || (d.FinishedAt > p.FinishedAt
                        && passed.Any(q => q.ServiceId == d.ServiceId && q.Version == d.Version && q.FinishedAt >= p.FinishedAt)))))
            .GroupBy(p => new { p.ServiceId, p.Version })
            .Select(g => g.Min(p => p.FinishedAt));
    }

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

    private IQueryable<Deployment> Production(Stages stages)
    {
        var ids = stages.ProductionIds;
        return db.Deployments.Where(d => ids.Contains(d.EnvironmentId));
    }

    private static IQueryable<Deployment> InRange(IQueryable<Deployment> deployments, IReadOnlyList<Bucket> buckets)
    {
        var (from, to) = (buckets[0].FromUtc, buckets[^1].ToUtc);
        return deployments.Where(d => d.FinishedAt >= from && d.FinishedAt < to);
    }

    private IQueryable<Deployment> Counting(Stages stages, IReadOnlyList<Bucket> buckets) =>
        InRange(Production(stages), buckets).Where(d => d.Kind == DeploymentKind.Normal
            && (d.Outcome == DeploymentOutcome.Succeeded || d.Outcome == DeploymentOutcome.RolledBack));

    private IQueryable<Incident> CountingFailures()
    {
        var incidents = scope.ServiceId is int service ? db.Incidents.Where(i => i.ServiceId == service)
            : scope.TeamId is int team ? db.Incidents.Where(i => i.Service.TeamId == team)
            : db.Incidents;
        return incidents.Where(i => i.Severity <= i.Service.Team.CountingSeverityThreshold);
    }

    private IQueryable<Catch> CountingCatches()
    {
        var catches = scope.ServiceId is int service ? db.Catches.Where(c => c.ServiceId == service)
            : scope.TeamId is int team ? db.Catches.Where(c => c.Service.TeamId == team)
            : db.Catches;
        return catches.Where(c => c.Severity <= c.Service.Team.CountingSeverityThreshold);
    }
}
