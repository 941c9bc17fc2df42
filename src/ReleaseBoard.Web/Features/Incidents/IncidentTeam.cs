using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Incidents;

/// <summary>A team as the incident form offers it: its services, and the zone its people's times are in.</summary>
public sealed record IncidentTeam(
    int Id,
    string Slug,
    string Name,
    string TimeZoneId,
    IReadOnlyList<IncidentService> Services
)
{
    public TimeZoneInfo Zone => TeamTime.Zone(TimeZoneId);

    public string TimeLabel(string what) => $"{what} ({TimeZoneId})";

    /// <summary>Teams without a service have nothing that can fail and are left out.</summary>
    public static IReadOnlyList<IncidentTeam> From(IReadOnlyList<TeamListing> directory) =>
        directory
            .Where(t => t.Services.Count > 0)
            .Select(t => new IncidentTeam(
                t.Id,
                t.Slug,
                t.Name,
                t.TimeZoneId,
                t.Services.Select(s => new IncidentService(s.Id, s.Slug, s.Name)).ToList()
            ))
            .ToList();
}

public sealed record IncidentService(int Id, string Slug, string Name);
