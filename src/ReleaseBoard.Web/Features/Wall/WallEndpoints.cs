using Microsoft.AspNetCore.Http.HttpResults;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Wall;

public static class WallEndpoints
{
    public sealed record WallResponse(
        string Team, string TeamName, bool IsDemo, int DaysSince, int RecordDays, bool HasCatches,
        string? LatestCatchTitle, DateTime? LatestCatchAtUtc, int OpenIncidents,
        int Failures90Days, double? MtbfHours90Days, double? MttrMinutes90Days, DateTime ReadAtUtc);

    /// <summary>GET /api/v1/teams/{team}/wall: the figures on a team's wall, for scripts and other dashboards.</summary>
    public static RouteGroupBuilder MapWallEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{team}/wall", async Task<Results<Ok<WallResponse>, NotFound, ForbidHttpResult>> (
                string team, HttpContext context, WallQuery query, CancellationToken cancellationToken) =>
            {
                if (!context.User.MayActForTeam(team)) return TypedResults.Forbid();
                var wall = await query.LoadAsync(team, cancellationToken);
                if (wall is null) return TypedResults.NotFound();
                return TypedResults.Ok(new WallResponse(
                    wall.TeamSlug, wall.TeamName, wall.IsDemo, wall.Streak.DaysSince, wall.Streak.RecordDays, wall.Streak.HasCatches,
                    wall.LatestCatch?.Title, wall.LatestCatch?.CaughtAtUtc, wall.OpenIncidents.Count, wall.Reliability.Failures,
                    wall.Reliability.Mtbf?.TotalHours, wall.Reliability.MttrMean?.TotalMinutes, wall.LoadedAtUtc));
            })
            .RequireAuthorization(Policies.Read)
            .WithName("GetWall")
            .WithSummary("The figures on a team's wall.")
            .WithTags("Wall");
        return api;
    }
}
