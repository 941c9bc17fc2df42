using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Features.Ingestion;

public static class TeamsEndpoints
{
    public sealed record EnvironmentEntry(string Slug, string Name, int Order, bool IsProduction, string State);

    public sealed record ServiceEntry(string Slug, string Name, IReadOnlyList<EnvironmentEntry> Environments);

    public sealed record TeamEntry(
        string Slug,
        string Name,
        string TimeZone,
        bool IsDemo,
        IReadOnlyList<ServiceEntry> Services
    );

    /// <summary>
    /// GET /api/v1/teams: every team the caller may read, with services and environments in pipeline order.
    /// </summary>
    public static RouteGroupBuilder MapTeamsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams", ListTeamsAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListTeams")
            .WithSummary("Teams with their services and environments (production flag, promotion state).")
            .WithTags("Teams");
        return api;
    }

    private static async Task<Ok<List<TeamEntry>>> ListTeamsAsync(
        ClaimsPrincipal user,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken ct
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var teams = await db
            .Teams.AsNoTracking()
            .OrderBy(t => t.Slug)
            .Include(t => t.Services)
                .ThenInclude(s => s.Environments)
            .ToListAsync(ct);
        return TypedResults.Ok(
            teams
                .Where(t => user.MayActForTeam(t.Slug))
                .Select(t => new TeamEntry(
                    t.Slug,
                    t.Name,
                    t.TimeZoneId,
                    t.IsDemo,
                    t.Services.OrderBy(s => s.Slug)
                        .Select(s => new ServiceEntry(
                            s.Slug,
                            s.Name,
                            s.Environments.OrderBy(e => e.Order)
                                .Select(e => new EnvironmentEntry(
                                    e.Name,
                                    e.Name,
                                    e.Order,
                                    e.IsProduction,
                                    e.PromotionMode.ApiName()
                                ))
                                .ToList()
                        ))
                        .ToList()
                ))
                .ToList()
        );
    }
}
