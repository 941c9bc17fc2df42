using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// A deployment as pipelines post it. Services and environments are named by slug; a deployment made to fix a
/// production incident names it (<see cref="FixesIncident"/>), which makes it rework.
/// </summary>
public sealed record DeploymentRequest(
    string? Service,
    string? Environment,
    string? Version,
    string? CommitSha,
    DateTimeOffset? CommittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DeploymentOutcome? Outcome,
    DeploymentKind? Kind,
    string? RollsBack,
    DeploymentTrigger? Trigger,
    string? Source,
    string? ExternalId,
    EventReference? FixesIncident = null
);

public sealed record EventReference(string? Source, string? ExternalId);

public sealed record IncidentRequest(
    string? Service,
    int? Severity,
    string? Title,
    DateTimeOffset? StartedAt,
    DateTimeOffset? DetectedAt,
    DateTimeOffset? ResolvedAt,
    EventReference? CausedBy,
    string? Url,
    string? Source,
    string? ExternalId
);

/// <summary>PATCH body: only the fields given change.</summary>
public sealed record IncidentPatch(
    int? Severity,
    string? Title,
    DateTimeOffset? StartedAt,
    DateTimeOffset? DetectedAt,
    DateTimeOffset? ResolvedAt,
    string? Url
);

public sealed record CatchRequest(
    string? Service,
    string? Environment,
    int? Severity,
    string? Title,
    string? Description,
    string? Version,
    DateTimeOffset? CaughtAt,
    string? ReportedBy,
    string? Source,
    string? ExternalId,
    string? Url = null
);

public sealed record DeploymentItem(
    long Id,
    string Team,
    string Service,
    string Environment,
    string Version,
    string? CommitSha,
    DateTime? CommittedAt,
    DateTime StartedAt,
    DateTime? FinishedAt,
    DeploymentOutcome Outcome,
    DeploymentKind Kind,
    string? RollsBack,
    DeploymentTrigger Trigger,
    string Source,
    string? ExternalId,
    EventReference? FixesIncident
);

public sealed record IncidentItem(
    long Id,
    string Team,
    string Service,
    int Severity,
    string Title,
    DateTime StartedAt,
    DateTime DetectedAt,
    DateTime? ResolvedAt,
    EventReference? CausedBy,
    string? Url,
    string Source,
    string? ExternalId
);

public sealed record CatchItem(
    long Id,
    string Team,
    string Service,
    string Environment,
    int Severity,
    string Title,
    string? Description,
    string? Version,
    DateTime CaughtAt,
    string ReportedBy,
    string Source,
    string? ExternalId,
    string? Url
);

public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
