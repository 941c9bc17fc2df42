using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>A rate shown as "3 / 41": the fraction is only defined when something was counted.</summary>
public readonly record struct Ratio(int Numerator, int Denominator)
{
    public double? Value => Denominator == 0 ? null : (double)Numerator / Denominator;
}

/// <summary>A median over some samples; the count says how many stand behind it.</summary>
public readonly record struct MedianOf(TimeSpan? Median, int Samples);

/// <summary>Every figure of docs/metrics.md for one bucket, with the numbers behind each.</summary>
/// <param name="IsPartial">The bucket has not ended yet: its figures cover [from, now).</param>
public sealed record BucketFigures(
    Bucket Bucket,
    bool IsPartial,
    ReliabilityFigures Reliability,
    int Catches,
    Ratio CatchRatio,
    int SucceededDeployments,
    Ratio ChangeFailureRate,
    MedianOf LeadTime,
    MedianOf TimeToRollBack,
    MedianOf ShelfTime
)
{
    /// <summary>
    /// Calendar days the figures cover: the bucket's (7 for a week, daylight saving or not), or so far for the running
    /// one.
    /// </summary>
    public int DaysCounted { get; init; }

    /// <summary>
    /// The days-since count at the end of the bucket's last day shown; null before the first catch on record.
    /// </summary>
    public int? DaysSinceAtEnd { get; init; }

    /// <summary>
    /// DORA's deployment rework rate: rollbacks and fixes of incidents ÷ production deployments that went live.
    /// </summary>
    public Ratio ReworkRate { get; init; }

    /// <summary>DORA's failed deployment recovery time, over the failed deployments that went live here.</summary>
    public RecoveryFigures FailedDeploymentRecovery { get; init; } = RecoveryFigures.Empty;

    /// <summary>Succeeded production deployments ÷ calendar days counted.</summary>
    public double DeploymentsPerDay => DaysCounted == 0 ? 0 : (double)SucceededDeployments / DaysCounted;
}

/// <summary>The days-since count as it stood at the end of each local day, and the catches that reset it.</summary>
/// <param name="Days">Null before the first counting catch on record.</param>
public sealed record DaysSincePoint(DateOnly Date, int? Days);

public sealed record CatchMark(DateOnly Date, DateTime CaughtAtUtc, string Title, string ServiceName, int Severity);

/// <summary>
/// What was asked: a team (or all teams), perhaps one service, a range of local dates and a bucket size.
/// </summary>
public sealed record TrendScope(
    int? TeamId,
    string? TeamSlug,
    string ScopeName,
    int? ServiceId,
    string? ServiceSlug,
    TimeZoneInfo TimeZone
)
{
    public bool IsAllTeams => TeamId is null;
}

public sealed record TrendReport(
    TrendScope Scope,
    DateOnly From,
    DateOnly To,
    BucketSize BucketSize,
    IReadOnlyList<BucketFigures> Buckets,
    IReadOnlyList<DaysSincePoint> DaysSince,
    IReadOnlyList<CatchMark> CatchMarks,
    DateTime ComputedAtUtc
);

/// <summary>Versions waiting for production now, and when the oldest of them passed pre-production.</summary>
public sealed record ShelfNow(int Versions, DateTime? OldestPassedAtUtc);
