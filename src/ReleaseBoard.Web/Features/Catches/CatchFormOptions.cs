using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Catches;

/// <summary>The teams, services and pre-production environments a catch can be recorded against.</summary>
public sealed record CatchFormOptions(IReadOnlyList<CatchFormOptions.TeamOption> Teams)
{
    public sealed record TeamOption(string Slug, string Name, string TimeZoneId, IReadOnlyList<ServiceOption> Services);

    public sealed record ServiceOption(int Id, string Name, IReadOnlyList<EnvironmentOption> Environments);

    public sealed record EnvironmentOption(int Id, string Name);

    public static async Task<CatchFormOptions> LoadAsync(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .Environments.AsNoTracking()
            .Where(e => !e.IsProduction)
            .Select(e => new
            {
                TeamSlug = e.Service.Team.Slug,
                TeamName = e.Service.Team.Name,
                e.Service.Team.TimeZoneId,
                ServiceId = e.Service.Id,
                ServiceName = e.Service.Name,
                e.Id,
                e.Name,
                e.Order,
            })
            .ToListAsync(cancellationToken);

        var teams = rows.GroupBy(r => (r.TeamSlug, r.TeamName, r.TimeZoneId))
            .OrderBy(t => t.Key.TeamName)
            .Select(t => new TeamOption(
                t.Key.TeamSlug,
                t.Key.TeamName,
                t.Key.TimeZoneId,
                t.GroupBy(r => (r.ServiceId, r.ServiceName))
                    .OrderBy(s => s.Key.ServiceName)
                    .Select(s => new ServiceOption(
                        s.Key.ServiceId,
                        s.Key.ServiceName,
                        s.OrderBy(e => e.Order).Select(e => new EnvironmentOption(e.Id, e.Name)).ToList()
                    ))
                    .ToList()
            ))
            .ToList();
        return new CatchFormOptions(teams);
    }
}
