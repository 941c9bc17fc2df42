namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// Teams, services and environments as code. Environments are listed in pipeline order; exactly one per service is
/// production. The same document is what `catalog apply`, PUT /api/v1/catalog and the admin page read and write.
/// </summary>
public sealed record CatalogDocument(IReadOnlyList<CatalogTeamEntry>? Teams);

public sealed record CatalogTeamEntry(
    string? Slug,
    string? Name,
    string? TimeZone,
    int? CountingSeverityThreshold,
    IReadOnlyList<CatalogServiceEntry>? Services
);

public sealed record CatalogServiceEntry(
    string? Slug,
    string? Name,
    string? Repository,
    string? PagerDutyServiceId,
    IReadOnlyList<CatalogEnvironmentEntry>? Environments,
    string? Workload = null
);

/// <param name="RequiredApprovals">
/// Distinct approvers to turn continuous promotion on; default 2 for production, 1 elsewhere.
/// </param>
/// <param name="SoakMinutes">
/// Minutes in the previous stage before continuous promotion takes a version; default 0.
/// </param>
/// <param name="Readiness">
/// The evidence asked for before this environment turns continuous; omitted fields take the defaults.
/// </param>
/// <param name="Windows">When it may promote on its own; omitted keeps what is set (the admin page sets them).</param>
/// <param name="Namespace">The Kubernetes namespace it runs in, for Flagger and Argo Rollouts webhooks.</param>
public sealed record CatalogEnvironmentEntry(
    string? Name,
    bool? IsProduction,
    int? RequiredApprovals,
    int? SoakMinutes,
    CatalogReadinessEntry? Readiness = null,
    IReadOnlyList<CatalogWindowEntry>? Windows = null,
    string? Namespace = null
);

/// <summary>One window: <c>{"allow": "Mon-Thu 09:00-16:00"}</c> or <c>{"deny": "…", "reason": "…"}</c>.</summary>
public sealed record CatalogWindowEntry(string? Allow, string? Deny, string? Reason = null);

/// <summary>Readiness thresholds (docs/promotion.md); each omitted one is the default shown.</summary>
/// <param name="MinDaysSinceCatch">Days since the service's last counting catch, at least (default 7).</param>
/// <param name="MaxMttrMinutes">MTTR over 90 days, at most (default 60).</param>
/// <param name="MaxChangeFailurePercent">Change failure rate over 90 days, at most (default 15).</param>
/// <param name="RollbackWithinDays">A production rollback proven within this many days (default 30) ...</param>
/// <param name="RollbackMaxMinutes">... taking at most this many minutes (default 15).</param>
public sealed record CatalogReadinessEntry(
    int? MinDaysSinceCatch,
    int? MaxMttrMinutes,
    int? MaxChangeFailurePercent,
    int? RollbackWithinDays,
    int? RollbackMaxMinutes
)
{
    public static readonly CatalogReadinessEntry Defaults = new(7, 60, 15, 30, 15);

    /// <summary>Allowed range per field, for validation and for the message that names it.</summary>
    public static readonly IReadOnlyList<(
        string Field,
        int Min,
        int Max,
        Func<CatalogReadinessEntry, int?> Read
    )> Ranges =
    [
        ("minDaysSinceCatch", 0, 365, r => r.MinDaysSinceCatch),
        ("maxMttrMinutes", 1, 10_080, r => r.MaxMttrMinutes),
        ("maxChangeFailurePercent", 0, 100, r => r.MaxChangeFailurePercent),
        ("rollbackWithinDays", 1, 365, r => r.RollbackWithinDays),
        ("rollbackMaxMinutes", 1, 1_440, r => r.RollbackMaxMinutes),
    ];
}

/// <summary>What applying a catalog did, and what it would delete but did not.</summary>
/// <param name="PolicyChangeRefused">
/// True when <see cref="Errors"/> name policy fields that an API key may not change (nothing was stored).
/// </param>
public sealed record CatalogReport(
    bool Applied,
    IReadOnlyList<string> Created,
    IReadOnlyList<string> Updated,
    int Unchanged,
    IReadOnlyList<string> NotInCatalog,
    IReadOnlyDictionary<string, string[]> Errors,
    bool PolicyChangeRefused = false
)
{
    public bool Succeeded => Errors.Count == 0;

    public static CatalogReport Refused(Dictionary<string, string[]> errors, bool policyChange = false) =>
        new(false, [], [], 0, [], errors, policyChange);
}
