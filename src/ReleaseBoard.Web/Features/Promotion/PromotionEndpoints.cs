using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// /api/v1 promotion: read an environment's switch (anyone who may read), and change it — request, approve, reject,
/// pause, manual, stop the line — as a signed-in Approver, through <see cref="PromotionActions"/> like the page.
/// API keys are refused every change with 403: four eyes need people. Changes take the environment's stamp from
/// If-Match (the ETag of the GET) when given, so a script acts only on what it has seen; 412 when it is stale.
/// Cross-site requests cannot use a person's cookie here: it is SameSite=Lax (not sent on cross-site POSTs) and the
/// body must be application/json, which a plain form cannot send.
/// </summary>
public static class PromotionEndpoints
{
    public sealed record ReasonBody(string? Reason);
    public sealed record ApprovalBody(string? OverrideReason);
    public sealed record StopTheLineBody(string? Reason, string? Team);
    public sealed record ApprovalDto(string By, DateTime At, string? OverrideReason);
    public sealed record RequestDto(long Id, string RequestedBy, DateTime RequestedAt, DateTime ExpiresAt, string Reason, int RequiredApprovals, IReadOnlyList<ApprovalDto> Approvals);
    public sealed record PromotionStateDto(
        string Service, string Environment, string State, DateTime Since, string? ChangedBy, string? Reason, int RequiredApprovals, int SoakMinutes, RequestDto? PendingRequest);
    public sealed record StopTheLineResponse(int Paused);

    public static RouteGroupBuilder MapPromotionEndpoints(this RouteGroupBuilder api)
    {
        var environment = api.MapGroup("/environments/{service}/{environment}/promotion").WithTags("Promotion").RequireAuthorization(Policies.Read);

        environment.MapGet("", async Task<IResult> (string service, string environment, HttpContext context, IDbContextFactory<ReleaseBoardDbContext> dbFactory,
                ServiceResolver resolver, TimeProvider clock, CancellationToken ct) =>
            {
                var (_, environmentId, refusal) = await ResolveAsync(service, environment, context, dbFactory, resolver, ct);
                return refusal ?? await StateAsync(environmentId, context, dbFactory, clock, ct);
            })
            .WithName("GetPromotion").WithSummary("The environment's promotion state, since when, by whom and why, and the request waiting for approval; the ETag is the stamp to act on.")
            .Produces<PromotionStateDto>().ProducesProblem(403).ProducesProblem(404);

        MapEnvironmentChange(environment, "/request", "RequestContinuous", "Ask for Continuous (or to resume from Paused), with a reason; it takes effect once enough other approvers agree.",
            (actions, who, id, stamp, body, ct) => actions.RequestContinuousAsync(who, id, stamp, body.Reason, ct));
        MapEnvironmentChange(environment, "/pause", "Pause", "Continuous → Paused at once, with a reason.",
            (actions, who, id, stamp, body, ct) => actions.PauseAsync(who, id, stamp, body.Reason, ct));
        MapEnvironmentChange(environment, "/manual", "SetManual", "→ Manual, with a reason; a waiting request is withdrawn.",
            (actions, who, id, stamp, body, ct) => actions.SetManualAsync(who, id, stamp, body.Reason, ct));

        var requests = api.MapGroup("/promotion-requests/{id:long}").WithTags("Promotion").RequireAuthorization(Policies.Read);
        requests.MapPost("/approve", async Task<IResult> (long id, HttpContext context, PromotionActions actions, IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, CancellationToken ct) =>
            {
                var body = await ApiJson.ReadAsync<ApprovalBody>(context.Request, ct);
                if (!body.Succeeded) return TypedResults.ValidationProblem(body.Errors);
                return await AnswerAsync(await actions.ApproveAsync(context.User, id, body.Value!.OverrideReason, ct), context, dbFactory, clock, ct);
            })
            .WithName("ApproveRequest").WithSummary("Approve a waiting request (never your own); with a failing readiness criterion, overrideReason is required.")
            .Accepts<ApprovalBody>("application/json").Produces<PromotionStateDto>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        requests.MapPost("/reject", async Task<IResult> (long id, HttpContext context, PromotionActions actions, IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, CancellationToken ct) =>
            {
                var body = await ApiJson.ReadAsync<ReasonBody>(context.Request, ct);
                if (!body.Succeeded) return TypedResults.ValidationProblem(body.Errors);
                return await AnswerAsync(await actions.RejectAsync(context.User, id, body.Value!.Reason, ct), context, dbFactory, clock, ct);
            })
            .WithName("RejectRequest").WithSummary("Reject a waiting request, with a reason.")
            .Accepts<ReasonBody>("application/json").Produces<PromotionStateDto>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        api.MapPost("/stop-the-line", async Task<IResult> (HttpContext context, PromotionActions actions, IDbContextFactory<ReleaseBoardDbContext> dbFactory, CancellationToken ct) =>
            {
                var body = await ApiJson.ReadAsync<StopTheLineBody>(context.Request, ct);
                if (!body.Succeeded) return TypedResults.ValidationProblem(body.Errors);
                int? teamId = null;
                if (!string.IsNullOrWhiteSpace(body.Value!.Team))
                {
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    teamId = await db.Teams.Where(t => t.Slug == body.Value.Team.Trim()).Select(t => (int?)t.Id).SingleOrDefaultAsync(ct);
                    if (teamId is null) return TypedResults.Problem($"There is no team \"{body.Value.Team}\".", statusCode: StatusCodes.Status404NotFound);
                }
                var result = await actions.StopTheLineAsync(context.User, teamId, body.Value.Reason, ct);
                if (result.Succeeded) return TypedResults.Ok(new StopTheLineResponse(result.Value));
                return result.ErrorField == PromotionActions.ForbiddenCode
                    ? TypedResults.Problem(result.Error, statusCode: StatusCodes.Status403Forbidden)
                    : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [result.ErrorField!] = [result.Error!] });
            })
            .RequireAuthorization(Policies.Read).WithTags("Promotion").WithName("StopTheLine")
            .WithSummary("Pause every continuous environment of one team (team given) or of all teams, at once, with a reason.")
            .Accepts<StopTheLineBody>("application/json").Produces<StopTheLineResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private delegate Task<PromotionOutcome> EnvironmentChange(
        PromotionActions actions, System.Security.Claims.ClaimsPrincipal who, int environmentId, Guid stamp, ReasonBody body, CancellationToken cancellationToken);

    private static void MapEnvironmentChange(RouteGroupBuilder group, string path, string name, string summary, EnvironmentChange change) =>
        group.MapPost(path, async Task<IResult> (string service, string environment, HttpContext context, PromotionActions actions, IDbContextFactory<ReleaseBoardDbContext> dbFactory,
                ServiceResolver resolver, TimeProvider clock, CancellationToken ct) =>
            {
                var (_, environmentId, refusal) = await ResolveAsync(service, environment, context, dbFactory, resolver, ct);
                if (refusal is not null) return refusal;
                var body = await ApiJson.ReadAsync<ReasonBody>(context.Request, ct);
                if (!body.Succeeded) return TypedResults.ValidationProblem(body.Errors);

                Guid stamp;
                if (context.Request.Headers.IfMatch.Count > 0)
                {
                    if (!Guid.TryParse(context.Request.Headers.IfMatch.ToString().Trim().Trim('"'), out stamp))
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["If-Match"] = ["If-Match is the ETag of GET …/promotion."] });
                }
                else
                {
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    stamp = await db.Environments.Where(e => e.Id == environmentId).Select(e => e.ConcurrencyStamp).SingleAsync(ct);
                }
                var outcome = await change(actions, context.User, environmentId, stamp, body.Value!, ct);
                if (outcome is PromotionOutcome.ChangedMeanwhile && context.Request.Headers.IfMatch.Count > 0)
                    return TypedResults.Problem("The environment changed since the ETag given; nothing was changed. Read it again and decide.",
                        statusCode: StatusCodes.Status412PreconditionFailed, extensions: new Dictionary<string, object?> { ["code"] = "changed-meanwhile" });
                return await AnswerAsync(outcome, context, dbFactory, clock, ct);
            })
            .WithName(name).WithSummary(summary)
            .Accepts<ReasonBody>("application/json").Produces<PromotionStateDto>().ProducesValidationProblem()
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

    /// <summary>The environment a path names, as the caller may see it; or the answer that refuses.</summary>
    internal static async Task<(int ServiceId, int EnvironmentId, IResult? Refusal)> ResolveAsync(string service, string environment, HttpContext context,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory, ServiceResolver resolver, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (resolved, refusal) = await resolver.ResolveAsync<object>(db, service, context.User, ct);
        switch (refusal)
        {
            case IngestOutcome<object>.NotFound notFound: return (0, 0, TypedResults.Problem(notFound.Detail, statusCode: StatusCodes.Status404NotFound));
            case IngestOutcome<object>.Forbidden forbidden: return (0, 0, TypedResults.Problem(forbidden.Detail, statusCode: StatusCodes.Status403Forbidden));
            case IngestOutcome<object>.Invalid invalid: return (0, 0, TypedResults.ValidationProblem(invalid.Errors));
        }
        var found = await resolver.EnvironmentAsync(db, resolved!.Id, environment, ct);
        return found is null
            ? (0, 0, TypedResults.Problem($"Service \"{service}\" has no environment \"{environment}\".", statusCode: StatusCodes.Status404NotFound))
            : (resolved.Id, found.Value.Id, null);
    }

    private static async Task<IResult> AnswerAsync(PromotionOutcome outcome, HttpContext context, IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, CancellationToken ct) =>
        outcome switch
        {
            PromotionOutcome.Done done => await StateAsync(done.Environment.Id, context, dbFactory, clock, ct),
            PromotionOutcome.Refused { Code: PromotionActions.ForbiddenCode } refused => TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status403Forbidden),
            PromotionOutcome.Refused { Code: "not-found" } refused => TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status404NotFound),
            PromotionOutcome.Refused { Code: "reason-required" } refused => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [refused.Message] }),
            PromotionOutcome.Refused refused => TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["code"] = refused.Code }),
            PromotionOutcome.ChangedMeanwhile changed => TypedResults.Problem(
                $"Changed meanwhile: it is {WallEndpoints.StateName(changed.Current.Mode)} now{(changed.Current.By is { } by ? $" ({by})" : "")}. Nothing was changed.",
                statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["code"] = "changed-meanwhile" }),
            _ => throw new InvalidOperationException("Unknown promotion outcome."),
        };

    private static async Task<IResult> StateAsync(int environmentId, HttpContext context, IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var environment = await db.Environments.AsNoTracking().Where(e => e.Id == environmentId)
            .Select(e => new { e.Name, Service = e.Service.Slug, e.PromotionMode, e.PromotionModeChangedAt, e.PromotionModeChangedBy, e.PromotionModeReason, e.RequiredApprovals, e.SoakMinutes, e.ConcurrencyStamp })
            .SingleAsync(ct);
        // A request past its time is not waiting any more, whether or not the expiry sweep has recorded it yet.
        var pending = await db.PromotionRequests.AsNoTracking()
            .Where(r => r.EnvironmentId == environmentId && r.Status == PromotionRequestStatus.Pending && r.ExpiresAt > now)
            .Select(r => new RequestDto(r.Id, r.RequestedBy, r.RequestedAt, r.ExpiresAt, r.Reason, r.RequiredApprovals,
                r.Approvals.OrderBy(a => a.ApprovedAt).Select(a => new ApprovalDto(a.ApprovedBy, a.ApprovedAt, a.OverrideReason)).ToList()))
            .FirstOrDefaultAsync(ct);
        context.Response.Headers[HeaderNames.ETag] = $"\"{environment.ConcurrencyStamp}\"";
        return TypedResults.Ok(new PromotionStateDto(environment.Service, environment.Name, WallEndpoints.StateName(environment.PromotionMode),
            environment.PromotionModeChangedAt, environment.PromotionModeChangedBy, environment.PromotionModeReason, environment.RequiredApprovals, environment.SoakMinutes, pending));
    }
}
