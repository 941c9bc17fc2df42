using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// The gate where Flagger looks: its confirm-promotion webhook holds a canary's promotion until the answer is 2xx,
/// its rollback webhook rolls the canary back on a 2xx. Both carry the Flagger webhook secret in metadata.token.
/// </summary>
public static class FlaggerGateEndpoints
{
    public sealed record FlaggerAnswer(
        string Service,
        string Environment,
        string State,
        bool MayAutoPromote,
        bool RollBack,
        IReadOnlyList<GateEndpoints.GateReasonDto> Reasons
    );

    public static RouteGroupBuilder MapFlaggerGateEndpoints(this RouteGroupBuilder api)
    {
        var flagger = api.MapGroup("/webhooks/flagger").WithTags("Promotion");
        flagger
            .MapPost("/confirm-promotion", ConfirmPromotionAsync)
            .AllowAnonymous() // metadata.token is the authentication
            .WithName("FlaggerConfirmPromotion")
            .WithSummary("Flagger confirm-promotion (or confirm-rollout) webhook: 200 only when the gate is open.")
            .WithDescription(
                "Answers 200 when the canary's environment may promote on its own now (the gate of GET "
                    + "/api/v1/gates/{service}/{environment}, with metadata.version, which an environment with a soak "
                    + "time needs); otherwise 409 with the reasons. Flagger keeps the body to itself: ask the gate to "
                    + "see them."
            );
        flagger
            .MapPost("/rollback", RollbackAsync)
            .AllowAnonymous() // metadata.token is the authentication
            .WithName("FlaggerRollback")
            .WithSummary("Flagger rollback webhook: 200 (roll back now) while a failure of pausing severity is open.")
            .WithDescription(
                "The immune system at the canary: while an incident of pausing severity is open on the service the "
                    + "answer is 200 and Flagger rolls the canary back; otherwise 409, and the analysis goes on."
            );
        return api;
    }

    private static async Task<IResult> ConfirmPromotionAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        PromotionGate gate,
        CancellationToken ct
    ) =>
        await AnswerAsync(
            request,
            secrets,
            dbFactory,
            gate,
            (answer, target) =>
                answer.MayAutoPromote
                    ? TypedResults.Ok(Of(answer, target, rollBack: false))
                    : Refused(
                        $"ReleaseBoard holds the promotion of {target.Service.Slug} to {target.Environment}: "
                            + string.Join(" ", answer.Reasons.Select(r => r.Message)),
                        Of(answer, target, rollBack: false)
                    ),
            ct
        );

    private static async Task<IResult> RollbackAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        PromotionGate gate,
        CancellationToken ct
    ) =>
        await AnswerAsync(
            request,
            secrets,
            dbFactory,
            gate,
            (answer, target) =>
            {
                var failures = answer.Reasons.Where(r => r.Code == "open-failure").ToList();
                return failures.Count > 0
                    ? TypedResults.Ok(Of(answer with { Reasons = failures }, target, rollBack: true))
                    : Refused(
                        $"No failure of pausing severity is open on {target.Service.Slug}: no rollback.",
                        Of(answer with { Reasons = [] }, target, rollBack: false)
                    );
            },
            ct
        );

    private static async Task<IResult> AnswerAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        PromotionGate gate,
        Func<GateAnswer, WorkloadTarget, IResult> answer,
        CancellationToken ct
    )
    {
        var (call, refusal) = await FlaggerCall.ReadAsync(request, secrets, ct);
        if (call is null)
            return refusal!;
        using var _ = call;
        var (root, name, space, signers) = (call.Root, call.Name, call.Namespace, call.Signers);
        var version = root.Text("metadata", "version");
        if (version is { Length: > EventRules.VersionMaxLength })
            return WebhookEndpoints.Invalid("metadata.version", $"At most {EventRules.VersionMaxLength} characters.");
        var (target, problem) = await ProgressiveDelivery.FindAsync(
            dbFactory,
            name,
            space,
            root.Text("metadata", "environment"),
            signers,
            ct
        );
        if (target is null)
            return problem!;
        // Asked at the moment of the call, nothing cached: a pause or an incident is seen at once.
        var gateAnswer = await gate.AskAsync(
            target.Service.Id,
            target.EnvironmentId,
            version,
            ct,
            versionRequired: true
        );
        return answer(gateAnswer, target);
    }

    private static FlaggerAnswer Of(GateAnswer answer, WorkloadTarget target, bool rollBack) =>
        new(
            target.Service.Slug,
            target.Environment,
            answer.State.ApiName(),
            answer.MayAutoPromote,
            rollBack,
            answer.Reasons.Select(r => new GateEndpoints.GateReasonDto(r.Code, r.Message)).ToList()
        );

    /// <summary>Any status above 202 is "no" to Flagger; 409 says the state, not the request, is in the way.</summary>
    private static IResult Refused(string detail, FlaggerAnswer answer) =>
        TypedResults.Problem(
            detail,
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?>
            {
                ["service"] = answer.Service,
                ["environment"] = answer.Environment,
                ["state"] = answer.State,
                ["mayAutoPromote"] = answer.MayAutoPromote,
                ["rollBack"] = answer.RollBack,
                ["reasons"] = answer.Reasons,
            }
        );
}

/// <summary>
/// The rollback hook's own rule, asked of a failed canary after the fact: a failure of pausing severity open on the
/// service when the canary failed had ReleaseBoard answer "roll back", so the canary's failure is that incident's.
/// </summary>
public sealed class IncidentRollbackCause(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    IOptionsMonitor<PromotionOptions> options
) : ICanaryRollbackCause
{
    public async Task<string?> RolledBackForAsync(int serviceId, DateTime atUtc, CancellationToken cancellationToken)
    {
        var pausing = options.CurrentValue.PausingSeverity;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var title = await db
            .Incidents.Where(i =>
                i.ServiceId == serviceId
                && i.Severity <= pausing
                && i.ImpactStartedAt <= atUtc
                && (i.ResolvedAt == null || i.ResolvedAt >= atUtc)
            )
            .OrderBy(i => i.ImpactStartedAt)
            .Select(i => i.Title)
            .FirstOrDefaultAsync(cancellationToken);
        return title is null ? null : $"the incident \"{title}\"";
    }
}
