using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Catalog;

public sealed record TeamListing(
    int Id,
    string Slug,
    string Name,
    string TimeZoneId,
    bool IsDemo,
    IReadOnlyList<ServiceListing> Services
);

public sealed record ServiceListing(
    int Id,
    string Slug,
    string Name,
    string? Repository,
    string? PagerDutyServiceId,
    IReadOnlyList<EnvironmentListing> Environments
);

public sealed record EnvironmentListing(int Id, string Name, int Order, bool IsProduction);

/// <summary>
/// Every team with its services and environments, by name and pipeline order: the one read behind every team picker.
/// </summary>
public sealed class TeamDirectory(IDbContextFactory<ReleaseBoardDbContext> dbFactory)
{
    public async Task<IReadOnlyList<TeamListing>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = await db
            .Teams.AsNoTracking()
            .Include(t => t.Services)
                .ThenInclude(s => s.Environments)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return teams
            .OrderBy(t => t.Name, StringComparer.InvariantCultureIgnoreCase)
            .Select(t => new TeamListing(
                t.Id,
                t.Slug,
                t.Name,
                t.TimeZoneId,
                t.IsDemo,
                t.Services.OrderBy(s => s.Name, StringComparer.InvariantCultureIgnoreCase)
                    .Select(s => new ServiceListing(
                        s.Id,
                        s.Slug,
                        s.Name,
                        s.Repository,
                        s.PagerDutyServiceId,
                        s.Environments.OrderBy(e => e.Order)
                            .Select(e => new EnvironmentListing(e.Id, e.Name, e.Order, e.IsProduction))
                            .ToList()
                    ))
                    .ToList()
            ))
            .ToList();
    }
}
