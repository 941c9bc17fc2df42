using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// /api/v1 events: write with an API key, (source, externalId) makes every write idempotent; read with a key or as a
/// signed-in viewer. Errors are application/problem+json with a message per field.
/// </summary>
public static class IngestionEndpoints
{
    public static RouteGroupBuilder MapIngestionEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/deployments", PostDeploymentAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("PostDeployment")
            .WithTags("Deployments")
            .WithSummary("Record a deployment, or bring the stored one (same source and externalId) up to date.")
            .Accepts<DeploymentRequest>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404);
        api.MapPost("/incidents", PostIncidentAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("PostIncident")
            .WithTags("Incidents")
            .WithSummary(
                "Record an incident (something went wrong in production), or bring the stored one up to date "
                    + "(resolved, corrected)."
            )
            .Accepts<IncidentRequest>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404);
        api.MapPatch("/incidents/{source}/{externalId}", PatchIncidentAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("PatchIncident")
            .WithTags("Incidents")
            .WithSummary("Resolve or correct an incident; only the fields given change.")
            .Accepts<IncidentPatch>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404);
        api.MapPost("/catches", PostCatchAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("PostCatch")
            .WithTags("Catches")
            .WithSummary("Record a defect caught before production; it resets the team's wall.")
            .Accepts<CatchRequest>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404);
        api.MapGet("/deployments", ListDeploymentsAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListDeployments")
            .WithTags("Deployments")
            .WithSummary("Deployments by team, service and time (startedAt), newest first.")
            .ProducesProblem(403);
        api.MapGet("/incidents", ListIncidentsAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListIncidents")
            .WithTags("Incidents")
            .WithSummary("Incidents by team, service and time (startedAt), newest first.")
            .ProducesProblem(403);
        api.MapGet("/catches", ListCatchesAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListCatches")
            .WithTags("Catches")
            .WithSummary("Catches by team, service and time (caughtAt), newest first.")
            .ProducesProblem(403);
        return api;
    }

    private static Task<
        Results<Created<DeploymentItem>, Ok<DeploymentItem>, ValidationProblem, ProblemHttpResult>
    > PostDeploymentAsync(HttpRequest request, DeploymentIngestion ingestion, CancellationToken ct) =>
        WriteAsync<DeploymentRequest, DeploymentItem>(
            request,
            (body, user) => ingestion.IngestAsync(body, user, ct),
            ct
        );

    private static Task<
        Results<Created<IncidentItem>, Ok<IncidentItem>, ValidationProblem, ProblemHttpResult>
    > PostIncidentAsync(HttpRequest request, IncidentIngestion ingestion, CancellationToken ct) =>
        WriteAsync<IncidentRequest, IncidentItem>(request, (body, user) => ingestion.IngestAsync(body, user, ct), ct);

    // A patch changes a stored incident and never creates one, so it answers 200 or why not.
    private static async Task<Results<Ok<IncidentItem>, ValidationProblem, ProblemHttpResult>> PatchIncidentAsync(
        string source,
        string externalId,
        HttpRequest request,
        IncidentIngestion ingestion,
        CancellationToken ct
    ) =>
        (
            await WriteAsync<IncidentPatch, IncidentItem>(
                request,
                (body, user) => ingestion.PatchAsync(source, externalId, body, user, ct),
                ct
            )
        ).Result switch
        {
            Ok<IncidentItem> ok => ok,
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            var other => throw new InvalidOperationException($"A patch cannot answer {other.GetType().Name}."),
        };

    private static Task<
        Results<Created<CatchItem>, Ok<CatchItem>, ValidationProblem, ProblemHttpResult>
    > PostCatchAsync(HttpRequest request, CatchIngestion ingestion, CancellationToken ct) =>
        WriteAsync<CatchRequest, CatchItem>(request, (body, user) => ingestion.IngestAsync(body, user, ct), ct);

    private static Task<Results<Ok<PageOf<DeploymentItem>>, ValidationProblem, ProblemHttpResult>> ListDeploymentsAsync(
        [AsParameters] ListParameters query,
        ClaimsPrincipal user,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken ct
    ) =>
        ListAsync(
            query,
            user,
            dbFactory,
            (db, team, service, from, to) =>
                db.Deployments.Where(d =>
                    (team == null || d.Service.Team.Slug == team)
                    && (service == null || d.Service.Slug == service)
                    && (from == null || d.StartedAt >= from)
                    && (to == null || d.StartedAt < to)
                ),
            d => d.StartedAt,
            EventQueries.DeploymentItems,
            ct
        );

    private static Task<Results<Ok<PageOf<IncidentItem>>, ValidationProblem, ProblemHttpResult>> ListIncidentsAsync(
        [AsParameters] ListParameters query,
        ClaimsPrincipal user,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken ct
    ) =>
        ListAsync(
            query,
            user,
            dbFactory,
            (db, team, service, from, to) =>
                db.Incidents.Where(i =>
                    (team == null || i.Service.Team.Slug == team)
                    && (service == null || i.Service.Slug == service)
                    && (from == null || i.ImpactStartedAt >= from)
                    && (to == null || i.ImpactStartedAt < to)
                ),
            i => i.ImpactStartedAt,
            EventQueries.IncidentItems,
            ct
        );

    private static Task<Results<Ok<PageOf<CatchItem>>, ValidationProblem, ProblemHttpResult>> ListCatchesAsync(
        [AsParameters] ListParameters query,
        ClaimsPrincipal user,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken ct
    ) =>
        ListAsync(
            query,
            user,
            dbFactory,
            (db, team, service, from, to) =>
                db.Catches.Where(c =>
                    (team == null || c.Service.Team.Slug == team)
                    && (service == null || c.Service.Slug == service)
                    && (from == null || c.CaughtAt >= from)
                    && (to == null || c.CaughtAt < to)
                ),
            c => c.CaughtAt,
            EventQueries.CatchItems,
            ct
        );

    public sealed record ListParameters(
        string? Team,
        string? Service,
        DateTimeOffset? From,
        DateTimeOffset? To,
        int? Page,
        int? PageSize
    );

    private static async Task<Results<Created<TItem>, Ok<TItem>, ValidationProblem, ProblemHttpResult>> WriteAsync<
        TBody,
        TItem
    >(HttpRequest request, Func<TBody, ClaimsPrincipal, Task<IngestOutcome<TItem>>> ingest, CancellationToken ct)
        where TBody : class
    {
        var body = await ApiJson.ReadAsync<TBody>(request, ct);
        if (!body.Succeeded)
            return TypedResults.ValidationProblem(body.Errors);
        return await ingest(body.Value!, request.HttpContext.User) switch
        {
            IngestOutcome<TItem>.Stored { Created: true } stored => TypedResults.Created((string?)null, stored.Item),
            IngestOutcome<TItem>.Stored stored => TypedResults.Ok(stored.Item),
            IngestOutcome<TItem>.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            IngestOutcome<TItem>.NotFound notFound => TypedResults.Problem(
                notFound.Detail,
                statusCode: StatusCodes.Status404NotFound
            ),
            IngestOutcome<TItem>.Forbidden forbidden => TypedResults.Problem(
                forbidden.Detail,
                statusCode: StatusCodes.Status403Forbidden
            ),
            _ => throw new InvalidOperationException("Unknown ingestion outcome."),
        };
    }

    private static async Task<Results<Ok<PageOf<TItem>>, ValidationProblem, ProblemHttpResult>> ListAsync<
        TEntity,
        TItem
    >(
        ListParameters parameters,
        ClaimsPrincipal user,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        Func<ReleaseBoardDbContext, string?, string?, DateTime?, DateTime?, IQueryable<TEntity>> filter,
        System.Linq.Expressions.Expression<Func<TEntity, DateTime>> mainTime,
        Func<IQueryable<TEntity>, IQueryable<TItem>> project,
        CancellationToken ct
    )
    {
        var query = new EventQueries.ListQuery(
            parameters.Team,
            parameters.Service,
            parameters.From,
            parameters.To,
            parameters.Page,
            parameters.PageSize
        );
        var errors = EventQueries.Validate(query);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        // A key scoped to one team sees that team only; asking for another is refused, not silently emptied.
        var team = query.Team;
        if (user.IsApiKey() && user.FindFirstValue(ApiKeyClaims.Team) is { } scope && scope != ApiKeyClaims.AllTeams)
        {
            if (team is not null && !string.Equals(team, scope, StringComparison.OrdinalIgnoreCase))
                return TypedResults.Problem($"There is no team \"{team}\".", statusCode: StatusCodes.Status404NotFound);
            team = scope;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filtered = filter(db, team, query.Service, query.From?.UtcDateTime, query.To?.UtcDateTime);
        return TypedResults.Ok(await EventQueries.PageAsync(filtered, mainTime, project, query, ct));
    }
}
