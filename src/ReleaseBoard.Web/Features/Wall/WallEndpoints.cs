using Microsoft.AspNetCore.Http.HttpResults;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Wall;

public static class WallEndpoints
{
    public sealed record SignCatch(string Title, string Service, string Environment, DateTime CaughtAt, int Severity);

    public sealed record SignIncident(string Title, string Service, int Severity, DateTime StartedAt, string? Url);

    /// <param name="Frozen">A freeze or deny window stops it on purpose now.</param>
    public sealed record SignEnvironment(
        string Service,
        string Environment,
        bool IsProduction,
        string State,
        bool Frozen
    );

    /// <summary>
    /// What the wall shows, for other displays and chat bots. Figures that are undefined (no failures) are null.
    /// </summary>
    public sealed record SignResponse(
        string Team,
        string TeamName,
        bool IsDemo,
        int DaysSince,
        int RecordDays,
        bool HasCatches,
        SignCatch? LatestCatch,
        IReadOnlyList<SignIncident> OpenIncidents,
        int Failures90d,
        double? MtbfHours90d,
        double? MttrMinutes90d,
        IReadOnlyList<SignEnvironment> Environments,
        DateTime ReadAt
    );

    /// <summary>GET /api/v1/teams/{team}/sign.</summary>
    public static RouteGroupBuilder MapWallEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{team}/sign", GetSignAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetSign")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary(
                "What a team's wall shows: days since, record, latest catch, open incidents, MTBF/MTTR (90 days), "
                    + "environment states."
            )
            .WithTags("Teams");
        return api;
    }

    private static async Task<Results<Ok<SignResponse>, ProblemHttpResult>> GetSignAsync(
        string team,
        HttpContext context,
        WallQuery query,
        CancellationToken cancellationToken
    )
    {
        // Another team's is answered as unknown: a key learns nothing of what other teams have.
        if (!context.User.MayActForTeam(team))
            return TypedResults.Problem($"There is no team \"{team}\".", statusCode: StatusCodes.Status404NotFound);
        var wall = await query.LoadAsync(team, cancellationToken);
        if (wall is null)
            return TypedResults.Problem($"There is no team \"{team}\".", statusCode: StatusCodes.Status404NotFound);
        return TypedResults.Ok(
            new SignResponse(
                wall.TeamSlug,
                wall.TeamName,
                wall.IsDemo,
                wall.Streak.DaysSince,
                wall.Streak.RecordDays,
                wall.Streak.HasCatches,
                wall.LatestCatch is { } c
                    ? new SignCatch(c.Title, c.ServiceName, c.EnvironmentName, c.CaughtAtUtc, c.Severity)
                    : null,
                wall.OpenIncidents.Select(i => new SignIncident(
                        i.Title,
                        i.ServiceName,
                        i.Severity,
                        i.ImpactStartedAtUtc,
                        i.Link
                    ))
                    .ToList(),
                wall.Reliability.Failures,
                wall.Reliability.Mtbf?.TotalHours,
                wall.Reliability.MttrMean?.TotalMinutes,
                wall.Pipelines.SelectMany(p =>
                        p.Environments.Select(e => new SignEnvironment(
                            p.ServiceName,
                            e.Name,
                            e.IsProduction,
                            e.Mode.ApiName(),
                            e.FrozenBy is not null
                        ))
                    )
                    .ToList(),
                wall.LoadedAtUtc
            )
        );
    }
}
