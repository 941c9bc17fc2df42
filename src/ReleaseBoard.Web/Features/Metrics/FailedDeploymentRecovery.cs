namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>
/// DORA's failed deployment recovery time over the failed deployments of one bucket (docs/metrics.md): median and
/// p90 of the restored ones, and how many are not restored yet, never silently dropped.
/// </summary>
public readonly record struct RecoveryFigures(TimeSpan? Median, TimeSpan? P90, int Restored, int Open)
{
    public int Failed => Restored + Open;

    public static RecoveryFigures Empty => new(null, null, 0, 0);
}

public static class FailedDeploymentRecovery
{
    /// <summary>
    /// One failed deployment: the times from its going live until each deployment that could have restored it (its
    /// rollback, a fix of an incident it caused, or, for an outcome-only rollback, the next successful deployment);
    /// the earliest restored it. None, or none at or after it went live: not restored.
    /// </summary>
    public static TimeSpan? RecoveredAfter(params TimeSpan?[] candidates) =>
        candidates.Where(c => c >= TimeSpan.Zero).Min();

    public static RecoveryFigures Calculate(IReadOnlyCollection<TimeSpan?> recoveries)
    {
        var restored = recoveries.OfType<TimeSpan>().ToList();
        return new RecoveryFigures(
            Statistics.Median(restored),
            Statistics.NearestRankPercentile(restored, 0.9),
            restored.Count,
            recoveries.Count - restored.Count
        );
    }
}
