using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>One readiness criterion: what was measured, against what, and whether it passes.</summary>
public sealed record ReadinessCriterion(string Key, string Name, string Measured, string Threshold, bool Passed);

public sealed record Readiness(IReadOnlyList<ReadinessCriterion> Criteria)
{
    public bool AllPass => Criteria.All(c => c.Passed);
    public IEnumerable<ReadinessCriterion> Failing => Criteria.Where(c => !c.Passed);
}

/// <summary>
/// The evidence beside a switch (docs/promotion.md) for one service against its environment's thresholds, with the
/// same definitions as the wall and the trends.
/// </summary>
public sealed class ReadinessEvaluator(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    TrendEngine trends
)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(90);

    public async Task<Readiness> EvaluateAsync(int environmentId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var from = now - Window;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.AsNoTracking()
            .Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.ServiceId,
                e.ReadinessMinDaysSinceCatch,
                e.ReadinessMaxMttrMinutes,
                e.ReadinessMaxChangeFailurePercent,
                e.ReadinessRollbackWithinDays,
                e.ReadinessRollbackMaxMinutes,
                e.Service.Team.TimeZoneId,
                e.Service.Team.CountingSeverityThreshold,
                e.Service.TeamId,
            })
            .SingleAsync(cancellationToken);
        var serviceId = environment.ServiceId;
        var threshold = environment.CountingSeverityThreshold;
        var zone = TeamTime.Zone(environment.TimeZoneId);
        var criteria = new List<ReadinessCriterion>();

        var lastCatch = await db
            .Catches.Where(c => c.ServiceId == serviceId)
            .ThatCount(threshold)
            .MaxAsync(c => (DateTime?)c.CaughtAt, cancellationToken);
        int? daysSince = lastCatch is { } caught ? TeamTime.DaysSince(caught, now, zone) : null;
        criteria.Add(
            new(
                "days-since-catch",
                "Days since the last catch",
                daysSince is { } d ? $"{d} days" : "no catch recorded",
                $"≥ {environment.ReadinessMinDaysSinceCatch} days",
                daysSince is null || daysSince >= environment.ReadinessMinDaysSinceCatch
            )
        );

        var failures = await db
            .Incidents.Where(i =>
                i.ServiceId == serviceId && i.ImpactStartedAt < now && (i.ResolvedAt == null || i.ResolvedAt > from)
            )
            .ThatCount(threshold)
            .Select(i => new FailureInterval(i.ImpactStartedAt, i.ResolvedAt))
            .ToListAsync(cancellationToken);
        var reliability = ReliabilityCalculator.Calculate(failures, from, now, now);
        criteria.Add(
            new(
                "mttr",
                "MTTR, 90 days",
                reliability.MttrMean is { } mttr ? DurationText.Format(mttr) : "no resolved failure",
                $"≤ {environment.ReadinessMaxMttrMinutes} min",
                reliability.MttrMean is null
                    || reliability.MttrMean <= TimeSpan.FromMinutes(environment.ReadinessMaxMttrMinutes)
            )
        );

        var (failed, deployments) = await trends.ChangeFailuresAsync(
            new TrendScope(environment.TeamId, null, "", serviceId, null, zone),
            from,
            now,
            cancellationToken
        );
        var rate = deployments == 0 ? (double?)null : 100.0 * failed / deployments;
        criteria.Add(
            new(
                "change-failure-rate",
                "Change failure rate, 90 days",
                rate is { } p ? $"{p:0.#} % ({failed} / {deployments})" : "no production deployment",
                $"≤ {environment.ReadinessMaxChangeFailurePercent} %",
                rate is null || rate <= environment.ReadinessMaxChangeFailurePercent
            )
        );

        var rollbackSince = now.AddDays(-environment.ReadinessRollbackWithinDays);
        var rollback = await db
            .Deployments.Where(x =>
                x.ServiceId == serviceId
                && x.Environment.IsProduction
                && x.Kind == DeploymentKind.Rollback
                && x.Outcome == DeploymentOutcome.Succeeded
                && x.FinishedAt >= rollbackSince
            )
            .OrderByDescending(x => x.FinishedAt)
            .Select(x => new { x.StartedAt, FinishedAt = x.FinishedAt!.Value })
            .FirstOrDefaultAsync(cancellationToken);
        var rollbackTook = rollback is null ? (TimeSpan?)null : rollback.FinishedAt - rollback.StartedAt;
        // When, as a date in the team's zone rather than an age: evidence an approver looks at must not change by
        // itself while they read it (an approval is refused when it changed).
        var rollbackText = rollbackTook is { } took
            ? $"{DurationText.Format(took)}, on " + $"{TeamTime.LocalDate(rollback!.FinishedAt, zone):yyyy-MM-dd}"
            : $"none in {environment.ReadinessRollbackWithinDays} days";
        criteria.Add(
            new(
                "rollback-proven",
                "Rollback proven",
                rollbackText,
                $"within {environment.ReadinessRollbackWithinDays} days, ≤ {environment.ReadinessRollbackMaxMinutes} "
                    + $"min",
                rollbackTook is { } t && t <= TimeSpan.FromMinutes(environment.ReadinessRollbackMaxMinutes)
            )
        );

        var open = await db
            .Incidents.Where(i => i.ServiceId == serviceId && i.ResolvedAt == null)
            .ThatCount(threshold)
            .CountAsync(cancellationToken);
        criteria.Add(
            new("no-open-failure", "No open failure", open == 0 ? "none open" : $"{open} open", "none", open == 0)
        );
        return new Readiness(criteria);
    }
}
