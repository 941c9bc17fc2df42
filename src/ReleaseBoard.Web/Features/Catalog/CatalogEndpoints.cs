using System.Security.Claims;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;

namespace ReleaseBoard.Web.Features.Catalog;

public static class CatalogEndpoints
{
    /// <summary>GET and PUT /api/v1/catalog: the whole catalog, for a key scoped to all teams (a platform team's pipeline).</summary>
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog", async (ClaimsPrincipal user, CatalogService catalog, CancellationToken ct) =>
                AllTeams(user) ? TypedResults.Ok(await catalog.ExportAsync(ct)) : Forbidden())
            .RequireAuthorization(Policies.Ingest).WithName("GetCatalog").WithTags("Catalog")
            .WithSummary("The catalog as JSON: teams, services and environments.").Produces<CatalogDocument>().ProducesProblem(403);

        api.MapPut("/catalog", async (HttpRequest request, ClaimsPrincipal user, CatalogService catalog, bool? dryRun, CancellationToken ct) =>
            {
                if (!AllTeams(user)) return Forbidden();
                var body = await ApiJson.ReadAsync<CatalogDocument>(request, ct);
                if (!body.Succeeded) return TypedResults.ValidationProblem(body.Errors);
                var report = await catalog.ApplyAsync(body.Value, user.ToAuditActor(), dryRun ?? false, ct);
                return report.Succeeded ? TypedResults.Ok(report) : TypedResults.ValidationProblem(report.Errors);
            })
            .RequireAuthorization(Policies.Ingest).WithName("PutCatalog").WithTags("Catalog")
            .WithSummary("Create and update teams, services and environments; deletions are reported, never performed. ?dryRun=true only reports.")
            .Accepts<CatalogDocument>("application/json").Produces<CatalogReport>().ProducesValidationProblem().ProducesProblem(403);
        return api;
    }

    private static bool AllTeams(ClaimsPrincipal user) => user.FindFirstValue(ApiKeyClaims.Team) == ApiKeyClaims.AllTeams;

    private static IResult Forbidden() =>
        TypedResults.Problem("The catalog spans every team: it takes a key scoped to all teams.", statusCode: StatusCodes.Status403Forbidden);
}
