using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

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
    DateTime LoadedAtUtc);

public sealed record LatestCatch(string Title, string ServiceName, string EnvironmentName, DateTime CaughtAtUtc, int Severity);

public sealed record OpenIncident(string Title, string ServiceName, int Severity, DateTime ImpactStartedAtUtc, string? Link);

public sealed record ServicePipeline(string ServiceName, IReadOnlyList<EnvironmentState> Environments);

public sealed record EnvironmentState(string Name, bool IsProduction, PromotionMode Mode);
