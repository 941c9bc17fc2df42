namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>A counting production failure: impact start, and resolution if it has one.</summary>
public readonly record struct FailureInterval(DateTime ImpactStartUtc, DateTime? ResolvedUtc);

/// <summary>MTBF and MTTR for one window, with the numbers behind them.</summary>
/// <param name="Failures">Failures that started in the window (open ones included).</param>
/// <param name="Resolved">Of those, the resolved ones: MTTR is computed over these.</param>
/// <param name="Open">Of those, still open: counted and shown, never silently dropped.</param>
/// <param name="Mtbf">Null when no failure started in the window: "no failures", not infinity.</param>
public sealed record ReliabilityFigures(
    DateTime FromUtc,
    DateTime ToUtc,
    int Failures,
    int Resolved,
    int Open,
    TimeSpan Downtime,
    TimeSpan? Mtbf,
    TimeSpan? MttrMean,
    TimeSpan? MttrMedian,
    TimeSpan? MttrP90
)
{
    public TimeSpan WindowLength => ToUtc - FromUtc;
}

/// <summary>MTBF and MTTR exactly as docs/metrics.md defines them, for one window [from, to).</summary>
public static class ReliabilityCalculator
{
    /// <param name="failures">Every counting failure that overlaps the window;
    /// ones that started before it still add downtime.</param>
    /// <param name="nowUtc">An open failure counts as down until now.</param>
    public static ReliabilityFigures Calculate(
        IEnumerable<FailureInterval> failures,
        DateTime fromUtc,
        DateTime toUtc,
        DateTime nowUtc
    )
    {
        if (toUtc <= fromUtc)
            throw new ArgumentException("The window must end after it starts.", nameof(toUtc));

        var all = failures.ToList();
        var startedInWindow = all.Where(f => f.ImpactStartUtc >= fromUtc && f.ImpactStartUtc < toUtc).ToList();
        var repairTimes = startedInWindow
            .Where(f => f.ResolvedUtc is not null)
            .Select(f => f.ResolvedUtc!.Value - f.ImpactStartUtc)
            .ToList();

        var downtime = Downtime(all, fromUtc, toUtc, nowUtc);
        TimeSpan? mtbf =
            startedInWindow.Count == 0
                ? null
                : TimeSpan.FromTicks(((toUtc - fromUtc) - downtime).Ticks / startedInWindow.Count);

        return new ReliabilityFigures(
            fromUtc,
            toUtc,
            Failures: startedInWindow.Count,
            Resolved: repairTimes.Count,
            Open: startedInWindow.Count - repairTimes.Count,
            Downtime: downtime,
            Mtbf: mtbf,
            MttrMean: Statistics.Mean(repairTimes),
            MttrMedian: Statistics.Median(repairTimes),
            MttrP90: Statistics.NearestRankPercentile(repairTimes, 0.9)
        );
    }

    /// <summary>A window that has not begun yet: nothing to measure.</summary>
    public static ReliabilityFigures Empty(DateTime fromUtc, DateTime toUtc) =>
        new(fromUtc, toUtc, 0, 0, 0, TimeSpan.Zero, null, null, null, null);

    /// <summary>The union of failure intervals clipped to the window: overlapping failures count once.</summary>
    public static TimeSpan Downtime(
        IEnumerable<FailureInterval> failures,
        DateTime fromUtc,
        DateTime toUtc,
        DateTime nowUtc
    )
    {
        var clipped = failures
            .Select(f => (Start: Max(f.ImpactStartUtc, fromUtc), End: Min(f.ResolvedUtc ?? nowUtc, toUtc)))
            .Where(i => i.End > i.Start)
            .OrderBy(i => i.Start);

        var total = TimeSpan.Zero;
        DateTime? runStart = null,
            runEnd = null;
        foreach (var (start, end) in clipped)
        {
            if (runEnd is null || start > runEnd)
            {
                if (runEnd is not null)
                    total += runEnd.Value - runStart!.Value;
                (runStart, runEnd) = (start, end);
            }
            else if (end > runEnd)
            {
                runEnd = end;
            }
        }
        if (runEnd is not null)
            total += runEnd.Value - runStart!.Value;
        return total;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
