using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// The one door through which people change promotion (page and API alike), with the role read from the store at
/// this moment. API keys never change it: a pipeline that could switch its own gate on makes the gate meaningless.
/// </summary>
public sealed class PromotionActions(
    PromotionService promotion,
    UserAdministration users,
    IDbContextFactory<ReleaseBoardDbContext> dbFactory
)
{
    public async Task<PromotionOutcome> RequestContinuousAsync(
        ClaimsPrincipal who,
        int environmentId,
        Guid expectedStamp,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        await ApproverAsync(who) is { } actor
            ? await promotion.RequestContinuousAsync(environmentId, expectedStamp, actor, reason, cancellationToken)
            : Refusal(who);

    public async Task<PromotionOutcome> ApproveAsync(
        ClaimsPrincipal who,
        long requestId,
        string? overrideReason,
        string? seenEvidenceHash = null,
        CancellationToken cancellationToken = default
    ) =>
        await ApproverAsync(who) is { } actor
            ? await promotion.ApproveAsync(requestId, actor, overrideReason, seenEvidenceHash, cancellationToken)
            : Refusal(who);

    public async Task<PromotionOutcome> RejectAsync(
        ClaimsPrincipal who,
        long requestId,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        await ApproverAsync(who) is { } actor
            ? await promotion.RejectAsync(requestId, actor, reason, cancellationToken)
            : Refusal(who);

    public async Task<PromotionOutcome> PauseAsync(
        ClaimsPrincipal who,
        int environmentId,
        Guid expectedStamp,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        await ApproverAsync(who) is { } actor
            ? await promotion.PauseAsync(environmentId, expectedStamp, actor, reason, cancellationToken)
            : Refusal(who);

    public async Task<PromotionOutcome> SetManualAsync(
        ClaimsPrincipal who,
        int environmentId,
        Guid expectedStamp,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        await ApproverAsync(who) is { } actor
            ? await promotion.SetManualAsync(environmentId, expectedStamp, actor, reason, cancellationToken)
            : Refusal(who);

    /// <summary>
    /// Stop the line for a team (or all teams). The role is checked before the team is looked up, so a caller who may
    /// not act learns nothing about which teams exist.
    /// </summary>
    public async Task<OperationResult<int>> StopTheLineAsync(
        ClaimsPrincipal who,
        string? teamSlug,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        if (await ApproverAsync(who) is not { } actor)
            return OperationResult<int>.Fail(
                PromotionRefusals.Forbidden,
                ((PromotionOutcome.Refused)Refusal(who)).Message
            );
        int? teamId = null;
        if (!string.IsNullOrWhiteSpace(teamSlug))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            teamId = await db
                .Teams.Where(t => t.Slug == teamSlug.Trim())
                .Select(t => (int?)t.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (teamId is null)
                return OperationResult<int>.Fail("team", $"There is no team \"{teamSlug}\".");
        }
        return await promotion.StopTheLineAsync(teamId, actor, reason, cancellationToken);
    }

    private async Task<AuditActor?> ApproverAsync(ClaimsPrincipal who) =>
        !who.IsApiKey() && await users.MayActNowAsync(who, Policies.Record) ? who.ToAuditActor() : null;

    public const string KeyRefusal =
        "API keys do not change promotion: a person signed in as Approver does (four eyes "
        + "need people). Pipelines ask the gate and report incidents.";

    private static PromotionOutcome Refusal(ClaimsPrincipal who) =>
        new PromotionOutcome.Refused(
            PromotionRefusals.Forbidden,
            who.IsApiKey() ? KeyRefusal : "This needs the Approver role. Nothing was changed."
        );
}
