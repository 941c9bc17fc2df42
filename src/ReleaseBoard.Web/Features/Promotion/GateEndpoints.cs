using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// GET /api/v1/gates/{service}/{environment}[?version=]: may a pipeline promote on its own now, and if not, why.
/// </summary>
public static class GateEndpoints
{
    public sealed record GateReasonDto(string Code, string Message);

    /// <summary>"Stage" in these names is the published JSON contract; the code says environment.</summary>
    public sealed record SoakDto(
        string Version,
        string? PreviousStage,
        DateTime? PassedPreviousStageAt,
        DateTime? SoakCountsFrom,
        DateTime? SoakEndsAt,
        int CatchesAgainst
    );

    public sealed record GateResponse(
        string Service,
        string Environment,
        string State,
        bool MayAutoPromote,
        IReadOnlyList<GateReasonDto> Reasons,
        DateTime Since,
        string? ChangedBy,
        int SoakMinutes,
        SoakDto? Version,
        WindowDto Window
    );

    /// <param name="OpensAt">When a closed window opens next (UTC); null when open or not within the horizon.</param>
    /// <param name="ClosesAt">When an open window closes next (UTC); null when nothing closes it.</param>
    public sealed record WindowDto(bool Open, DateTime? OpensAt, DateTime? ClosesAt, bool Frozen, string TimeZone);

    public static RouteGroupBuilder MapGateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/gates/{service}/{environment}", AskGateAsync)
            .RequireAuthorization(Policies.Read)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("AskGate")
            .WithSummary(
                "May a pipeline promote to this environment on its own now? true only when Continuous and nothing "
                    + "blocks; reasons say why not."
            )
            .WithDescription(
                "With ?version= the gate also checks that version's soak time in the previous stage and catches "
                    + "against it. Nothing is cached: a pause is seen at once."
            )
            .WithTags("Promotion");
        return api;
    }

    private static async Task<Results<Ok<GateResponse>, ValidationProblem, ProblemHttpResult>> AskGateAsync(
        string service,
        string environment,
        string? version,
        HttpContext context,
        ServiceResolver resolver,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        PromotionGate gate,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors(EventFields.DeploymentLabels);
        errors.MaxLength(EventFields.Version, version, EventRules.VersionMaxLength);
        if (errors.Any)
            return TypedResults.ValidationProblem(errors.Errors);
        var (target, invalid, problem) = await PromotionEndpoints.FindAsync(
            service,
            environment,
            context,
            dbFactory,
            resolver,
            cancellationToken
        );
        if (invalid is not null)
            return invalid;
        if (target is null)
            return problem!;

        var answer = await gate.AskAsync(target.ServiceId, target.EnvironmentId, version, cancellationToken);
        return TypedResults.Ok(
            new GateResponse(
                service,
                environment,
                answer.State.ApiName(),
                answer.MayAutoPromote,
                answer.Reasons.Select(r => new GateReasonDto(r.Code, r.Message)).ToList(),
                answer.Since,
                answer.ChangedBy,
                answer.SoakMinutes,
                answer.Soak is { } s
                    ? new SoakDto(
                        s.Version,
                        s.PreviousEnvironment,
                        s.PassedPreviousAt,
                        s.SoakCountsFrom,
                        s.SoakEndsAt,
                        s.CatchesAgainst
                    )
                    : null,
                new WindowDto(
                    answer.Window.Open,
                    answer.Window.NextOpening,
                    answer.Window.ClosesAt,
                    answer.Window.Frozen,
                    answer.Window.Zone.Id
                )
            )
        );
    }
}
