namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>The two order statistics docs/metrics.md defines, so every figure uses the same ones.</summary>
public static class Statistics
{
    /// <summary>Median; for an even count, the mean of the two middle values. Null for no values.</summary>
    public static TimeSpan? Median(IReadOnlyList<TimeSpan> values)
    {
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1
            ? sorted[middle]
            : TimeSpan.FromTicks((sorted[middle - 1].Ticks + sorted[middle].Ticks) / 2);
    }

    /// <summary>Nearest-rank percentile: the ⌈p·n⌉-th smallest value (1-based). Null for no values.</summary>
    public static TimeSpan? NearestRankPercentile(IReadOnlyList<TimeSpan> values, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 1);
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToArray();
        // Rounding guards against 0.9 * 10 = 9.000000000000002 becoming rank 10.
        var rank = (int)Math.Ceiling(Math.Round(percentile * sorted.Length, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static TimeSpan? Mean(IReadOnlyList<TimeSpan> values) =>
        values.Count == 0 ? null : TimeSpan.FromTicks((long)values.Average(v => (double)v.Ticks));
}
