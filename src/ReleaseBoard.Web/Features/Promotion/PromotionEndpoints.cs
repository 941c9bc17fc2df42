using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// /api/v1 promotion: read the switch, and change it as a signed-in Approver through <see cref="PromotionActions"/>
/// (keys get 403; If-Match makes a script act on what it saw). CSRF: JSON bodies only, and
/// <see cref="SameOriginOnly"/>.
/// </summary>
public static class PromotionEndpoints
{
    public sealed record ReasonBody(string? Reason);

    /// <param name="EvidenceHash">
    /// The hash of the evidence looked at (GET …/promotion): approve only if it still stands.
    /// </param>
    public sealed record ApprovalBody(string? OverrideReason, string? EvidenceHash = null);

    public sealed record StopTheLineBody(string? Reason, string? Team);

    public sealed record ApprovalDto(string By, DateTime At, string? OverrideReason, string? EvidenceHash);

    public sealed record EvidenceDto(string Hash, bool AllPass, ApprovalEvidence Evidence);

    public sealed record RequestDto(
        long Id,
        string RequestedBy,
        DateTime RequestedAt,
        DateTime ExpiresAt,
        string Reason,
        int RequiredApprovals,
        IReadOnlyList<ApprovalDto> Approvals
    );

    public sealed record PromotionStateDto(
        string Service,
        string Environment,
        string State,
        DateTime Since,
        string? ChangedBy,
        string? Reason,
        int RequiredApprovals,
        int SoakMinutes,
        RequestDto? PendingRequest,
        EvidenceDto? Evidence = null
    );

    public sealed record StopTheLineResponse(int Paused);

    /// <summary>What every promotion handler needs besides its route values; bound from DI per request.</summary>
    internal sealed record PromotionApi(
        HttpContext Context,
        PromotionActions Actions,
        IDbContextFactory<ReleaseBoardDbContext> DbFactory,
        ServiceResolver Resolver,
        TimeProvider Clock
    );

    public static RouteGroupBuilder MapPromotionEndpoints(this RouteGroupBuilder api)
    {
        var environment = api.MapGroup("/environments/{service}/{environment}/promotion")
            .WithTags("Promotion")
            .RequireAuthorization(Policies.Read)
            .AddEndpointFilter(SameOriginOnly);
        environment
            .MapGet("", GetPromotionAsync)
            .WithName("GetPromotion")
            .WithSummary(
                "The environment's promotion state, since when, by whom and why, and the request waiting for approval; "
                    + "the ETag is the stamp to act on."
            )
            .ProducesProblem(403)
            .ProducesProblem(404);
        environment
            .MapPost("/request", RequestContinuousAsync)
            .WithName("RequestContinuous")
            .WithSummary(
                "Ask for Continuous (or to resume from Paused), with a reason; it takes effect once enough other "
                    + "approvers agree."
            )
            .AsEnvironmentChange();
        environment
            .MapPost("/pause", PauseAsync)
            .WithName("Pause")
            .WithSummary("Continuous → Paused at once, with a reason.")
            .AsEnvironmentChange();
        environment
            .MapPost("/manual", SetManualAsync)
            .WithName("SetManual")
            .WithSummary("→ Manual, with a reason; a waiting request is withdrawn.")
            .AsEnvironmentChange();

        var requests = api.MapGroup("/promotion-requests/{id:long}")
            .WithTags("Promotion")
            .RequireAuthorization(Policies.Read)
            .AddEndpointFilter(SameOriginOnly);
        requests
            .MapPost("/approve", ApproveAsync)
            .WithName("ApproveRequest")
            .WithSummary(
                "Approve a waiting request (never your own); with a failing readiness criterion, overrideReason is "
                    + "required."
            )
            .Accepts<ApprovalBody>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404)
            .ProducesProblem(409);
        requests
            .MapPost("/reject", RejectAsync)
            .WithName("RejectRequest")
            .WithSummary("Reject a waiting request, with a reason.")
            .Accepts<ReasonBody>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404)
            .ProducesProblem(409);

        api.MapPost("/stop-the-line", StopTheLineAsync)
            .AddEndpointFilter(SameOriginOnly)
            .RequireAuthorization(Policies.Read)
            .WithTags("Promotion")
            .WithName("StopTheLine")
            .WithSummary(
                "Pause every continuous environment of one team (team given) or of all teams, at once, with a reason."
            )
            .Accepts<StopTheLineBody>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404);
        return api;
    }

    private static RouteHandlerBuilder AsEnvironmentChange(this RouteHandlerBuilder endpoint) =>
        endpoint
            .Accepts<ReasonBody>("application/json")
            .ProducesProblem(403)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(412);

    private static async Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> GetPromotionAsync(
        string service,
        string environment,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    )
    {
        var (target, invalid, problem) = await FindAsync(
            service,
            environment,
            api.Context,
            api.DbFactory,
            api.Resolver,
            ct
        );
        if (invalid is not null)
            return invalid;
        if (target is null)
            return problem!;
        return await StateAsync(target.EnvironmentId, api, ct);
    }

    private static Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> RequestContinuousAsync(
        string service,
        string environment,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    ) =>
        ChangeAsync(
            service,
            environment,
            api,
            (id, stamp, body) => api.Actions.RequestContinuousAsync(api.Context.User, id, stamp, body.Reason, ct),
            ct
        );

    private static Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> PauseAsync(
        string service,
        string environment,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    ) =>
        ChangeAsync(
            service,
            environment,
            api,
            (id, stamp, body) => api.Actions.PauseAsync(api.Context.User, id, stamp, body.Reason, ct),
            ct
        );

    private static Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> SetManualAsync(
        string service,
        string environment,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    ) =>
        ChangeAsync(
            service,
            environment,
            api,
            (id, stamp, body) => api.Actions.SetManualAsync(api.Context.User, id, stamp, body.Reason, ct),
            ct
        );

    private static Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> ApproveAsync(
        long id,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    ) =>
        ActOnRequestAsync<ApprovalBody>(
            api,
            body => api.Actions.ApproveAsync(api.Context.User, id, body.OverrideReason, body.EvidenceHash, ct),
            ct
        );

    private static Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> RejectAsync(
        long id,
        [AsParameters] PromotionApi api,
        CancellationToken ct
    ) => ActOnRequestAsync<ReasonBody>(api, body => api.Actions.RejectAsync(api.Context.User, id, body.Reason, ct), ct);

    private static async Task<Results<Ok<StopTheLineResponse>, ValidationProblem, ProblemHttpResult>> StopTheLineAsync(
        HttpContext context,
        PromotionActions actions,
        CancellationToken ct
    )
    {
        var body = await ApiJson.ReadAsync<StopTheLineBody>(context.Request, ct);
        if (!body.Succeeded)
            return TypedResults.ValidationProblem(body.Errors);
        var result = await actions.StopTheLineAsync(context.User, body.Value!.Team, body.Value.Reason, ct);
        if (result.Succeeded)
            return TypedResults.Ok(new StopTheLineResponse(result.Value));
        return result.ErrorField switch
        {
            PromotionRefusals.Forbidden => TypedResults.Problem(
                result.Error,
                statusCode: StatusCodes.Status403Forbidden
            ),
            "team" => TypedResults.Problem(result.Error, statusCode: StatusCodes.Status404NotFound),
            _ => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [result.ErrorField!] = [result.Error!] }
            ),
        };
    }

    /// <summary>Refuses a change a browser marks as sent from another site or origin; reads pass.</summary>
    internal static async ValueTask<object?> SameOriginOnly(
        EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next
    )
    {
        var request = invocation.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method))
            return await next(invocation);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var origin = request.Headers.Origin.ToString();
        var foreignOrigin =
            origin.Length > 0
            && !(
                Uri.TryCreate(origin, UriKind.Absolute, out var from)
                && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            );
        if (site is "cross-site" or "same-site" || foreignOrigin)
            return TypedResults.Problem(
                "Promotion changes are accepted from ReleaseBoard's own pages or from scripts, not from another site.",
                statusCode: StatusCodes.Status403Forbidden
            );
        return await next(invocation);
    }

    private static async Task<
        Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>
    > ActOnRequestAsync<TBody>(PromotionApi api, Func<TBody, Task<PromotionOutcome>> act, CancellationToken ct)
        where TBody : class
    {
        var body = await ApiJson.ReadAsync<TBody>(api.Context.Request, ct);
        if (!body.Succeeded)
            return TypedResults.ValidationProblem(body.Errors);
        return await AnswerAsync(await act(body.Value!), api, ct);
    }

    /// <summary>
    /// The steps every change of an environment's switch takes: refuse keys, find the environment, read the body, take
    /// the stamp from If-Match (or the one stored now), act, answer.
    /// </summary>
    private static async Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        string service,
        string environment,
        PromotionApi api,
        Func<int, Guid, ReasonBody, Task<PromotionOutcome>> change,
        CancellationToken ct
    )
    {
        var context = api.Context;
        // A key never changes promotion, whichever environment it names: say so before looking it up.
        if (context.User.IsApiKey())
            return TypedResults.Problem(PromotionActions.KeyRefusal, statusCode: StatusCodes.Status403Forbidden);
        var (target, invalid, problem) = await FindAsync(
            service,
            environment,
            context,
            api.DbFactory,
            api.Resolver,
            ct
        );
        if (invalid is not null)
            return invalid;
        if (target is null)
            return problem!;
        var body = await ApiJson.ReadAsync<ReasonBody>(context.Request, ct);
        if (!body.Succeeded)
            return TypedResults.ValidationProblem(body.Errors);

        Guid stamp;
        var ifMatch = context.Request.Headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!Guid.TryParse(ifMatch.ToString().Trim().Trim('"'), out stamp))
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["If-Match"] = ["If-Match is the ETag of GET …/promotion."] }
                );
        }
        else
        {
            await using var db = await api.DbFactory.CreateDbContextAsync(ct);
            stamp = await db
                .Environments.Where(e => e.Id == target.EnvironmentId)
                .Select(e => e.ConcurrencyStamp)
                .SingleAsync(ct);
        }
        var outcome = await change(target.EnvironmentId, stamp, body.Value!);
        if (outcome is PromotionOutcome.ChangedMeanwhile && ifMatch.Count > 0)
            return TypedResults.Problem(
                "The environment changed since the ETag given; nothing was changed. Read it again and decide.",
                statusCode: StatusCodes.Status412PreconditionFailed,
                extensions: new Dictionary<string, object?> { ["code"] = PromotionRefusals.ChangedMeanwhile }
            );
        return await AnswerAsync(outcome, api, ct);
    }

    internal sealed record EnvironmentTarget(int ServiceId, int EnvironmentId);

    /// <summary>The environment a path names, as the caller may see it; or why not (errors or a problem).</summary>
    internal static async Task<(
        EnvironmentTarget? Target,
        ValidationProblem? Invalid,
        ProblemHttpResult? Problem
    )> FindAsync(
        string service,
        string environment,
        HttpContext context,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        ServiceResolver resolver,
        CancellationToken ct
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (resolved, refusal) = await resolver.ResolveAsync<object>(
            db,
            service,
            context.User,
            ct,
            context.Request.Query["team"].FirstOrDefault()
        );
        switch (refusal)
        {
            case IngestOutcome<object>.NotFound notFound:
                return (null, null, TypedResults.Problem(notFound.Detail, statusCode: StatusCodes.Status404NotFound));
            case IngestOutcome<object>.Forbidden forbidden:
                return (null, null, TypedResults.Problem(forbidden.Detail, statusCode: StatusCodes.Status403Forbidden));
            case IngestOutcome<object>.Invalid invalid:
                return (null, TypedResults.ValidationProblem(invalid.Errors), null);
        }
        var found = await resolver.EnvironmentAsync(db, resolved!.Id, environment, ct);
        return found is null
            ? (
                null,
                null,
                TypedResults.Problem(
                    $"Service \"{service}\" has no environment \"{environment}\".",
                    statusCode: StatusCodes.Status404NotFound
                )
            )
            : (new EnvironmentTarget(resolved.Id, found.Value.Id), null, null);
    }

    /// <summary>What the state machine refused becomes its problem response here (lookups: FindAsync).</summary>
    private static async Task<Results<Ok<PromotionStateDto>, ValidationProblem, ProblemHttpResult>> AnswerAsync(
        PromotionOutcome outcome,
        PromotionApi api,
        CancellationToken ct
    ) =>
        outcome switch
        {
            PromotionOutcome.Done done => await StateAsync(done.Environment.Id, api, ct),
            PromotionOutcome.Refused { Code: PromotionRefusals.Forbidden } refused => TypedResults.Problem(
                refused.Message,
                statusCode: StatusCodes.Status403Forbidden
            ),
            PromotionOutcome.Refused { Code: PromotionRefusals.NotFound } refused => TypedResults.Problem(
                refused.Message,
                statusCode: StatusCodes.Status404NotFound
            ),
            PromotionOutcome.Refused { Code: PromotionRefusals.ReasonRequired } refused =>
                TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [refused.Message] }),
            PromotionOutcome.Refused refused => TypedResults.Problem(
                refused.Message,
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["code"] = refused.Code }
            ),
            PromotionOutcome.ChangedMeanwhile changed => TypedResults.Problem(
                $"Changed meanwhile: it is {changed.Current.Mode.ApiName()} "
                    + $"now{(changed.Current.By is { } by ? $" ({by})" : "")}. Nothing was changed.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["code"] = PromotionRefusals.ChangedMeanwhile }
            ),
            _ => throw new InvalidOperationException("Unknown promotion outcome."),
        };

    private static async Task<Ok<PromotionStateDto>> StateAsync(
        int environmentId,
        PromotionApi api,
        CancellationToken ct
    )
    {
        var context = api.Context;
        var now = api.Clock.GetUtcNow().UtcDateTime;
        await using var db = await api.DbFactory.CreateDbContextAsync(ct);
        var environment = await db
            .Environments.AsNoTracking()
            .Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.Name,
                Service = e.Service.Slug,
                e.PromotionMode,
                e.PromotionModeChangedAt,
                e.PromotionModeChangedBy,
                e.PromotionModeReason,
                e.RequiredApprovals,
                e.SoakMinutes,
                e.ConcurrencyStamp,
            })
            .SingleAsync(ct);
        // A request past its time is not waiting any more, whether or not the expiry sweep has recorded it yet.
        var pending = await db
            .PromotionRequests.AsNoTracking()
            .Where(r =>
                r.EnvironmentId == environmentId && r.Status == PromotionRequestStatus.Pending && r.ExpiresAt > now
            )
            .Select(r => new RequestDto(
                r.Id,
                r.RequestedBy,
                r.RequestedAt,
                r.ExpiresAt,
                r.Reason,
                r.RequiredApprovals,
                r.Approvals.OrderBy(a => a.ApprovedAt)
                    .Select(a => new ApprovalDto(a.ApprovedBy, a.ApprovedAt, a.OverrideReason, a.EvidenceHash))
                    .ToList()
            ))
            .FirstOrDefaultAsync(ct);
        // What an approval would store now: an approver reads it, then approves with its hash.
        EvidenceDto? evidence = null;
        if (pending is not null)
        {
            var snapshot = await context
                .RequestServices.GetRequiredService<EvidenceSnapshot>()
                .TakeAsync(environmentId, environment.SoakMinutes, ct);
            evidence = new EvidenceDto(snapshot.Hash, snapshot.AllPass, snapshot);
        }
        context.Response.Headers[HeaderNames.ETag] = $"\"{environment.ConcurrencyStamp}\"";
        return TypedResults.Ok(
            new PromotionStateDto(
                environment.Service,
                environment.Name,
                environment.PromotionMode.ApiName(),
                environment.PromotionModeChangedAt,
                environment.PromotionModeChangedBy,
                environment.PromotionModeReason,
                environment.RequiredApprovals,
                environment.SoakMinutes,
                pending,
                evidence
            )
        );
    }
}
