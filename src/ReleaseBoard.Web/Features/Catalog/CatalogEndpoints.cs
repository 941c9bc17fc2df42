using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;

namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// GET and PUT /api/v1/catalog for an all-teams key: a key shapes the catalog, but a document that would change
/// policy is refused whole with 403, every such field named (decision 0001).
/// </summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog", GetCatalogAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("GetCatalog")
            .WithTags("Catalog")
            .WithSummary("The catalog as JSON: teams, services and environments.");
        api.MapPut("/catalog", PutCatalogAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("PutCatalog")
            .WithTags("Catalog")
            .WithSummary(
                "Create and update teams, services and environments; policy fields must stay as they are. "
                    + "Deletions are reported, never performed. ?dryRun=true only reports."
            )
            .Accepts<CatalogDocument>("application/json");
        return api;
    }

    private static async Task<Results<Ok<CatalogDocument>, ProblemHttpResult>> GetCatalogAsync(
        ClaimsPrincipal user,
        CatalogService catalog,
        CancellationToken ct
    ) => AllTeams(user) ? TypedResults.Ok(await catalog.ExportAsync(ct)) : Forbidden();

    private static async Task<Results<Ok<CatalogReport>, ValidationProblem, ProblemHttpResult>> PutCatalogAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        CatalogService catalog,
        bool? dryRun,
        CancellationToken ct
    )
    {
        if (!AllTeams(user))
            return Forbidden();
        var body = await ApiJson.ReadAsync<CatalogDocument>(request, ct);
        if (!body.Succeeded)
            return TypedResults.ValidationProblem(body.Errors);
        var report = await catalog.ApplyAsync(body.Value, user.ToAuditActor(), dryRun ?? false, ct);
        if (report.PolicyChangeRefused)
            return TypedResults.Problem(
                new HttpValidationProblemDetails(report.Errors.ToDictionary())
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "An API key does not change promotion policy.",
                    Detail =
                        "Nothing was stored. Each field named here is policy: an Admin changes it on Admin → "
                        + "Catalog, or an operator with `catalog apply`. Leave it out, or send it as it stands.",
                }
            );
        return report.Succeeded
            ? TypedResults.Ok(report)
            : TypedResults.ValidationProblem(report.Errors.ToDictionary());
    }

    private static bool AllTeams(ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyClaims.Team) == ApiKeyClaims.AllTeams;

    private static ProblemHttpResult Forbidden() =>
        TypedResults.Problem(
            "The catalog spans every team: it takes a key scoped to all teams.",
            statusCode: StatusCodes.Status403Forbidden
        );
}
