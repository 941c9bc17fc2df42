using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Web.Features.Wall;

/// <summary>Everything one team's wall shows, read in one go so the sign renders from a consistent picture.</summary>
public sealed record WallSnapshot(
    string TeamSlug,
    string TeamName,
    TimeZoneInfo TimeZone,
    bool IsDemo,
    CatchStreak Streak,
    LatestCatch? LatestCatch,
    IReadOnlyList<OpenIncident> OpenIncidents,
    ReliabilityFigures Reliability,
    IReadOnlyList<ServicePipeline> Pipelines,
    DateTime LoadedAtUtc
)
{
    /// <summary>
    /// The 90-day MTBF (hours) as it stood at the end of each of the last 12 weeks, oldest first; null where it had no
    /// failures.
    /// </summary>
    public IReadOnlyList<double?> MtbfTrendHours { get; init; } = [];

    /// <summary>
    /// The 90-day MTTR (mean, minutes) at the end of each of the last 12 weeks, oldest first; null where none was
    /// resolved.
    /// </summary>
    public IReadOnlyList<double?> MttrTrendMinutes { get; init; } = [];

    /// <summary>Versions that passed pre-production and wait for production now.</summary>
    public ShelfNow Shelf { get; init; } = new(0, null);

    /// <summary>When a window or freeze next opens or closes an environment: the wall reads again then.</summary>
    public DateTime? WindowsChangeAt { get; init; }
}

public sealed record LatestCatch(
    string Title,
    string ServiceName,
    string EnvironmentName,
    DateTime CaughtAtUtc,
    int Severity
);

public sealed record OpenIncident(
    string Title,
    string ServiceName,
    int Severity,
    DateTime ImpactStartedAtUtc,
    string? Link
);

public sealed record ServicePipeline(string ServiceName, IReadOnlyList<EnvironmentState> Environments);

/// <param name="FrozenBy">The freeze or deny window in force now, when one is: the line is stopped on purpose.</param>
public sealed record EnvironmentState(string Name, bool IsProduction, PromotionMode Mode, string? FrozenBy = null);
