using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>The last 90 days replayed under a proposed soak time.</summary>
/// <param name="CatchesReachingProduction">
/// Catches caught later than the soak time after their version's deployment to the previous stage: continuous promotion
/// would have shipped them.
/// </param>
/// <param name="CatchesMatched">
/// Catches in the window whose version reached the previous stage (the ones the replay can judge).
/// </param>
/// <param name="CatchesUnmatched">Catches without a version, or whose version never reached the previous stage.</param>
/// <param name="ShelfTimeSaved">
/// Summed over versions promoted by hand in the window and not caught: the wait beyond the soak time.
/// </param>
public sealed record WhatIf(
    int SoakMinutes,
    int CatchesReachingProduction,
    int CatchesMatched,
    int CatchesUnmatched,
    TimeSpan ShelfTimeSaved,
    int VersionsPromoted
);

/// <summary>
/// The last 90 days replayed (docs/promotion.md): each version promoted S minutes after it passed the previous
/// environment, unless a catch named it first.
/// </summary>
public sealed class WhatIfReplay(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(90);

    public async Task<WhatIf?> ReplayAsync(
        int environmentId,
        int soakMinutes,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var from = now - Window;
        var soak = TimeSpan.FromMinutes(Math.Max(0, soakMinutes));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.AsNoTracking()
            .Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.ServiceId,
                e.Order,
                e.Service.Team.CountingSeverityThreshold,
            })
            .SingleAsync(cancellationToken);
        var previousId = await db
            .Environments.EnvironmentsBefore(environment.ServiceId, environment.Order)
            .Select(e => (int?)e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (previousId is null)
            return null; // the first stage has nothing before it to soak in

        var catches = await db
            .Catches.AsNoTracking()
            .Where(c => c.ServiceId == environment.ServiceId && c.CaughtAt >= from && c.CaughtAt < now)
            .ThatCount(environment.CountingSeverityThreshold)
            .Select(c => new { c.Version, c.CaughtAt })
            .ToListAsync(cancellationToken);
        var promoted = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                d.EnvironmentId == environmentId
                && d.Kind == DeploymentKind.Normal
                && d.Outcome == DeploymentOutcome.Succeeded
                && d.FinishedAt >= from
                && d.FinishedAt < now
            )
            .Select(d => new { d.Version, FinishedAt = d.FinishedAt!.Value })
            .ToListAsync(cancellationToken);
        var versions = catches
            .Where(c => c.Version != null)
            .Select(c => c.Version!)
            .Concat(promoted.Select(p => p.Version))
            .Distinct()
            .ToList();
        // First pass of each version through the previous stage, counted as the gate counts a soak (from when
        // ReleaseBoard learned of it, if that was later than the reported finish): one grouped read.
        var passed = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                d.EnvironmentId == previousId
                && versions.Contains(d.Version)
                && d.Outcome == DeploymentOutcome.Succeeded
                && d.Kind == DeploymentKind.Normal
            )
            .GroupBy(d => d.Version)
            .Select(g => new
            {
                Version = g.Key,
                At = g.Min(d =>
                    (DateTime?)(d.OutcomeReceivedAt > d.FinishedAt!.Value ? d.OutcomeReceivedAt : d.FinishedAt!.Value)
                ),
            })
            .ToDictionaryAsync(x => x.Version, x => x.At, cancellationToken);

        int reaching = 0,
            matched = 0,
            unmatched = 0;
        foreach (var caught in catches)
        {
            if (caught.Version is null || !passed.TryGetValue(caught.Version, out var at) || at is null)
            {
                unmatched++;
                continue;
            }
            matched++;
            if (caught.CaughtAt > at.Value + soak)
                reaching++;
        }

        var caughtVersions = catches.Where(c => c.Version != null).Select(c => c.Version!).ToHashSet();
        var saved = TimeSpan.Zero;
        var counted = 0;
        foreach (var version in promoted.GroupBy(p => p.Version))
        {
            if (caughtVersions.Contains(version.Key) || !passed.TryGetValue(version.Key, out var at) || at is null)
                continue;
            var waited = version.Min(p => p.FinishedAt) - at.Value;
            if (waited > soak)
                saved += waited - soak;
            counted++;
        }
        return new WhatIf(soakMinutes, reaching, matched, unmatched, saved, counted);
    }
}
