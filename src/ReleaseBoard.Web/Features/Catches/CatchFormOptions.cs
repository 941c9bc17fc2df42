using ReleaseBoard.Web.Features.Catalog;

namespace ReleaseBoard.Web.Features.Catches;

/// <summary>The teams, services and pre-production environments a catch can be recorded against.</summary>
public sealed record CatchFormOptions(IReadOnlyList<CatchFormOptions.TeamOption> Teams)
{
    public sealed record TeamOption(string Slug, string Name, string TimeZoneId, IReadOnlyList<ServiceOption> Services);

    public sealed record ServiceOption(int Id, string Name, IReadOnlyList<EnvironmentOption> Environments);

    public sealed record EnvironmentOption(int Id, string Name);

    /// <summary>
    /// Teams and services without a pre-production environment have nothing to catch in and are left out.
    /// </summary>
    public static CatchFormOptions From(IReadOnlyList<TeamListing> directory) =>
        new(
            directory
                .Select(t => new TeamOption(
                    t.Slug,
                    t.Name,
                    t.TimeZoneId,
                    t.Services.Select(s => new ServiceOption(
                            s.Id,
                            s.Name,
                            s.Environments.Where(e => !e.IsProduction)
                                .Select(e => new EnvironmentOption(e.Id, e.Name))
                                .ToList()
                        ))
                        .Where(s => s.Environments.Count > 0)
                        .ToList()
                ))
                .Where(t => t.Services.Count > 0)
                .ToList()
        );
}
