using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>GET /api/v1/gates/{service}/{environment}[?version=]: may a pipeline promote on its own now, and if not, why.</summary>
public static class GateEndpoints
{
    public sealed record GateReasonDto(string Code, string Message);
    public sealed record SoakDto(string Version, string? PreviousStage, DateTime? PassedPreviousStageAt, DateTime? SoakEndsAt, int CatchesAgainst);

    public sealed record GateResponse(
        string Service, string Environment, string State, bool MayAutoPromote, IReadOnlyList<GateReasonDto> Reasons,
        DateTime Since, string? ChangedBy, int SoakMinutes, SoakDto? Version);

    public static RouteGroupBuilder MapGateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/gates/{service}/{environment}", async Task<Results<Ok<GateResponse>, ProblemHttpResult, ValidationProblem>> (
                string service, string environment, string? version, HttpContext context, ServiceResolver resolver,
                IDbContextFactory<ReleaseBoardDbContext> dbFactory, PromotionGate gate, CancellationToken cancellationToken) =>
            {
                if (version is { Length: > 128 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = ["At most 128 characters."] });
                int serviceId, environmentId;
                await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
                {
                    var (resolved, refusal) = await resolver.ResolveAsync<GateResponse>(db, service, context.User, cancellationToken);
                    switch (refusal)
                    {
                        case IngestOutcome<GateResponse>.NotFound notFound: return TypedResults.Problem(notFound.Detail, statusCode: StatusCodes.Status404NotFound);
                        case IngestOutcome<GateResponse>.Forbidden forbidden: return TypedResults.Problem(forbidden.Detail, statusCode: StatusCodes.Status403Forbidden);
                        case IngestOutcome<GateResponse>.Invalid invalid: return TypedResults.ValidationProblem(invalid.Errors);
                    }
                    var found = await resolver.EnvironmentAsync(db, resolved!.Id, environment, cancellationToken);
                    if (found is null) return TypedResults.Problem($"Service \"{service}\" has no environment \"{environment}\".", statusCode: StatusCodes.Status404NotFound);
                    (serviceId, environmentId) = (resolved.Id, found.Value.Id);
                }

                var answer = await gate.AskAsync(serviceId, environmentId, version, cancellationToken);
                return TypedResults.Ok(new GateResponse(
                    service, environment, WallEndpoints.StateName(answer.State), answer.MayAutoPromote,
                    answer.Reasons.Select(r => new GateReasonDto(r.Code, r.Message)).ToList(),
                    answer.Since, answer.ChangedBy, answer.SoakMinutes,
                    answer.Soak is { } s ? new SoakDto(s.Version, s.PreviousStage, s.PassedPreviousStageAt, s.SoakEndsAt, s.CatchesAgainst) : null));
            })
            .RequireAuthorization(Policies.Read)
            .WithName("AskGate")
            .WithSummary("May a pipeline promote to this environment on its own now? true only when Continuous and nothing blocks; reasons say why not.")
            .WithDescription("With ?version= the gate also checks that version's soak time in the previous stage and catches against it. Nothing is cached: a pause is seen at once.")
            .WithTags("Promotion");
        return api;
    }
}
