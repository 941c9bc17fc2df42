namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// Teams, services and environments as code. Environments are listed in pipeline order; exactly one per service is
/// production. The same document is what `catalog apply`, PUT /api/v1/catalog and the admin page read and write.
/// </summary>
public sealed record CatalogDocument(IReadOnlyList<CatalogTeamEntry>? Teams);

public sealed record CatalogTeamEntry(string? Slug, string? Name, string? TimeZone, int? CountingSeverityThreshold, IReadOnlyList<CatalogServiceEntry>? Services);

public sealed record CatalogServiceEntry(string? Slug, string? Name, string? Repository, string? PagerDutyServiceId, IReadOnlyList<CatalogEnvironmentEntry>? Environments);

/// <param name="RequiredApprovals">Distinct approvers to turn continuous promotion on; default 2 for production, 1 elsewhere.</param>
/// <param name="SoakMinutes">Minutes in the previous stage before continuous promotion takes a version; default 0.</param>
public sealed record CatalogEnvironmentEntry(string? Name, bool? IsProduction, int? RequiredApprovals, int? SoakMinutes);

/// <summary>What applying a catalog did, and what it would delete but did not.</summary>
public sealed record CatalogReport(
    bool Applied,
    IReadOnlyList<string> Created,
    IReadOnlyList<string> Updated,
    int Unchanged,
    IReadOnlyList<string> NotInCatalog,
    IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
