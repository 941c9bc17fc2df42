using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// The answer to a promotion action: done (with the environment as it now stands), refused, or lost to someone faster.
/// </summary>
public abstract record PromotionOutcome
{
    public sealed record Done(EnvironmentStanding Environment, long? RequestId = null) : PromotionOutcome;

    /// <summary>
    /// Not allowed as asked: <paramref name="Code"/> is stable for scripts, the message is for people.
    /// </summary>
    public sealed record Refused(string Code, string Message) : PromotionOutcome;

    /// <summary>
    /// Someone changed the environment between reading and acting; nothing was stored. Shows what stands now.
    /// </summary>
    public sealed record ChangedMeanwhile(EnvironmentStanding Current) : PromotionOutcome;
}

/// <summary>An environment's state as a person sees it beside the switch, with the stamp to act on it.</summary>
public sealed record EnvironmentStanding(
    int Id,
    PromotionMode Mode,
    DateTime Since,
    string? By,
    string? Reason,
    Guid Stamp
);

/// <summary>
/// The promotion state machine (docs/promotion.md), every change audited and taken through the environment's
/// concurrency stamp, so of two people acting at once one wins. Callers check the role; this trusts its actor.
/// </summary>
public sealed class PromotionService(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    IOptionsMonitor<PromotionOptions> options,
    EvidenceSnapshot evidenceSnapshot
)
{
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromHours(24);

    public async Task<PromotionOutcome> RequestContinuousAsync(
        int environmentId,
        Guid expectedStamp,
        AuditActor actor,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        if (string.IsNullOrWhiteSpace(reason))
            return new PromotionOutcome.Refused(
                PromotionRefusals.ReasonRequired,
                "Say why the environment should promote continuously."
            );
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db.Environments.SingleOrDefaultAsync(e => e.Id == environmentId, cancellationToken);
        if (environment is null)
            return new PromotionOutcome.Refused(PromotionRefusals.NotFound, "There is no such environment.");
        if (environment.ConcurrencyStamp != expectedStamp)
            return new PromotionOutcome.ChangedMeanwhile(Standing(environment));
        if (environment.PromotionMode == PromotionMode.Continuous)
            return new PromotionOutcome.Refused(
                PromotionRefusals.AlreadyContinuous,
                "The environment already promotes continuously."
            );
        var now = Now();
        await ExpireDueAsync(db, environmentId, now, cancellationToken);
        if (
            await db.PromotionRequests.AnyAsync(
                r => r.EnvironmentId == environmentId && r.Status == PromotionRequestStatus.Pending,
                cancellationToken
            )
        )
            return new PromotionOutcome.Refused(
                PromotionRefusals.RequestPending,
                "A request for this environment is already waiting for approval."
            );

        var request = new PromotionRequest
        {
            EnvironmentId = environmentId,
            From = environment.PromotionMode,
            RequestedBy = actor.Name,
            RequestedById = actor.Id,
            Reason = reason.Trim(),
            RequestedAt = now,
            ExpiresAt = now + RequestLifetime,
            RequiredApprovals = Math.Max(1, environment.RequiredApprovals),
            Status = PromotionRequestStatus.Pending,
        };
        db.PromotionRequests.Add(request);
        environment.ConcurrencyStamp = Guid.NewGuid();
        Audit(
            db,
            actor,
            "promotion.requested",
            environment,
            environment.PromotionMode,
            PromotionMode.Continuous,
            request.Reason,
            now
        );
        return await SaveAsync(db, environment, cancellationToken, () => request.Id);
    }

    /// <param name="seenEvidenceHash">
    /// The <see cref="ApprovalEvidence.Hash"/> of the evidence the approver looked at (the page always sends it): if it
    /// no longer stands, nothing is approved and they are asked to look again. Without it the evidence of this moment
    /// is stored.
    /// </param>
    public async Task<PromotionOutcome> ApproveAsync(
        long requestId,
        AuditActor actor,
        string? overrideReason = null,
        string? seenEvidenceHash = null,
        CancellationToken cancellationToken = default
    )
    {
        // An approval names a request, not a state the approver saw: a race with another approver is tried again, so
        // every approver hears a definite answer (counted, or closed) and the store never counts more than needed.
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await TryApproveAsync(requestId, actor, overrideReason, seenEvidenceHash, cancellationToken);
            if (outcome is not PromotionOutcome.ChangedMeanwhile || attempt >= 20)
                return outcome;
        }
    }

    private async Task<PromotionOutcome> TryApproveAsync(
        long requestId,
        AuditActor actor,
        string? overrideReason,
        string? seenEvidenceHash,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var request = await db
            .PromotionRequests.Include(r => r.Approvals)
            .Include(r => r.Environment)
            .SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
            return new PromotionOutcome.Refused(PromotionRefusals.NotFound, "There is no such request.");
        var environment = request.Environment;
        var now = Now();
        if (request.Status == PromotionRequestStatus.Pending && request.ExpiresAt <= now)
        {
            // Past its time but not yet swept: recorded as expired now (that much is stored), and refused.
            Expire(db, request, environment, now);
            await SaveAsync(db, environment, cancellationToken);
            return Closed(request);
        }
        if (request.Status != PromotionRequestStatus.Pending)
            return Closed(request);
        // Four eyes compare stable ids: a second sign-in of the same person (a linked SSO identity) is the same id.
        if (SamePerson(request.RequestedById, request.RequestedBy, actor))
            return new PromotionOutcome.Refused(
                PromotionRefusals.OwnRequest,
                "Four eyes: the requester cannot approve their own request."
            );
        if (request.Approvals.Any(a => SamePerson(a.ApproverId, a.ApprovedBy, actor)))
            return new PromotionOutcome.Refused(
                PromotionRefusals.AlreadyApproved,
                "You approved this request already; it needs another approver."
            );
        var evidence = await evidenceSnapshot.TakeAsync(environment.Id, environment.SoakMinutes, cancellationToken);
        if (
            seenEvidenceHash is not null
            && !string.Equals(seenEvidenceHash, evidence.Hash, StringComparison.OrdinalIgnoreCase)
        )
            return new PromotionOutcome.Refused(
                PromotionRefusals.EvidenceChanged,
                "The evidence changed since you looked at it; nothing was approved. Look at it again, then approve."
            );
        if (!evidence.AllPass && string.IsNullOrWhiteSpace(overrideReason))
            return new PromotionOutcome.Refused(
                PromotionRefusals.OverrideRequired,
                $"Failing: {string.Join("; ", evidence.Criteria.Where(c => !c.Passed)
                    .Select(c => $"{c.Name} {c.Measured} " +
                $"(needs {c.Threshold})"))}. Approving anyway needs a written override reason."
            );
        if (evidence.AllPass)
            overrideReason = null; // nothing overridden

        request.Approvals.Add(
            new PromotionApproval
            {
                ApprovedBy = actor.Name,
                ApproverId = actor.Id,
                ApprovedAt = now,
                OverrideReason = string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim(),
                Evidence = evidence.ToJson(),
                EvidenceHash = evidence.Hash,
            }
        );
        Audit(
            db,
            actor,
            overrideReason is null ? "promotion.approved" : "promotion.approved-with-override",
            environment,
            environment.PromotionMode,
            PromotionMode.Continuous,
            overrideReason,
            now,
            evidence.Summary()
        );
        if (request.Approvals.Count >= request.RequiredApprovals)
        {
            request.Status = PromotionRequestStatus.Approved;
            (request.ClosedAt, request.ClosedBy) = (now, actor.Name);
            var before = environment.PromotionMode;
            Change(
                environment,
                PromotionMode.Continuous,
                now,
                $"{request.RequestedBy} (approved by {string.Join(", ", request.Approvals.Select(a => a.ApprovedBy))})",
                request.Reason
            );
            Audit(
                db,
                AuditActor.System,
                "promotion.continuous",
                environment,
                before,
                PromotionMode.Continuous,
                $"request {request.Id}: {request.Reason}",
                now
            );
        }
        environment.ConcurrencyStamp = Guid.NewGuid();
        return await SaveAsync(db, environment, cancellationToken, () => request.Id);
    }

    public async Task<PromotionOutcome> RejectAsync(
        long requestId,
        AuditActor actor,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        if (string.IsNullOrWhiteSpace(reason))
            return new PromotionOutcome.Refused(PromotionRefusals.ReasonRequired, "Say why the request is rejected.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var request = await db
            .PromotionRequests.Include(r => r.Environment)
            .SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
            return new PromotionOutcome.Refused(PromotionRefusals.NotFound, "There is no such request.");
        var now = Now();
        if (request.Status == PromotionRequestStatus.Pending && request.ExpiresAt <= now)
        {
            Expire(db, request, request.Environment, now);
            await SaveAsync(db, request.Environment, cancellationToken);
            return Closed(request);
        }
        if (request.Status != PromotionRequestStatus.Pending)
            return Closed(request);
        request.Status = PromotionRequestStatus.Rejected;
        (request.ClosedAt, request.ClosedBy) = (now, actor.Name);
        request.Environment.ConcurrencyStamp = Guid.NewGuid();
        Audit(
            db,
            actor,
            "promotion.rejected",
            request.Environment,
            request.Environment.PromotionMode,
            request.Environment.PromotionMode,
            reason.Trim(),
            now
        );
        return await SaveAsync(db, request.Environment, cancellationToken, () => request.Id);
    }

    /// <summary>
    /// Continuous → Paused, at once: stopping must be fast. Pending requests stay; resuming needs one.
    /// </summary>
    public Task<PromotionOutcome> PauseAsync(
        int environmentId,
        Guid expectedStamp,
        AuditActor actor,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        SetAsync(
            environmentId,
            expectedStamp,
            actor,
            reason,
            PromotionMode.Paused,
            "promotion.paused",
            from: [PromotionMode.Continuous],
            cancellationToken
        );

    /// <summary>→ Manual with a reason, from Continuous or Paused. A pending request is withdrawn with it.</summary>
    public Task<PromotionOutcome> SetManualAsync(
        int environmentId,
        Guid expectedStamp,
        AuditActor actor,
        string? reason,
        CancellationToken cancellationToken = default
    ) =>
        SetAsync(
            environmentId,
            expectedStamp,
            actor,
            reason,
            PromotionMode.Manual,
            "promotion.manual",
            from: [PromotionMode.Continuous, PromotionMode.Paused],
            cancellationToken
        );

    /// <summary>
    /// Whether a stored id is this actor's. Ids from before stable ids ("name/…") compare by name, so nobody approves
    /// their own request across the upgrade.
    /// </summary>
    private static bool SamePerson(string storedId, string storedName, AuditActor actor) =>
        storedId == actor.Id
        || (
            storedId.StartsWith("name/", StringComparison.Ordinal)
            && string.Equals(storedName, actor.Name, StringComparison.OrdinalIgnoreCase)
        );

    public async Task<OperationResult<int>> StopTheLineAsync(
        int? teamId,
        AuditActor actor,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        if (string.IsNullOrWhiteSpace(reason))
            return OperationResult<int>.Fail("reason", "Say why the line stops.");
        return OperationResult<int>.Ok(
            await PauseWhereAsync(
                e => teamId == null || e.Service.TeamId == teamId,
                actor,
                reason.Trim(),
                "promotion.stop-the-line",
                cancellationToken
            )
        );
    }

    /// <summary>
    /// The immune system, inside the caller's transaction: the incident and the pause it causes are stored together
    /// or not at all, so no open incident is left that paused nothing. Returns how many it paused.
    /// </summary>
    public async Task<int> PauseForIncidentAsync(
        ReleaseBoardDbContext db,
        int serviceId,
        int severity,
        string incidentTitle,
        CancellationToken cancellationToken = default
    )
    {
        if (severity > options.CurrentValue.PausingSeverity)
            return 0;
        var paused = PauseIn(
            db,
            await db
                .Environments.Where(e => e.ServiceId == serviceId && e.PromotionMode == PromotionMode.Continuous)
                .ToListAsync(cancellationToken),
            AuditActor.System,
            IncidentReason(severity, incidentTitle),
            "promotion.paused-by-failure",
            Now()
        );
        await db.SaveChangesAsync(cancellationToken);
        return paused;
    }

    private static string IncidentReason(int severity, string incidentTitle) =>
        $"Incident opened (severity {severity}): {incidentTitle}";

    private static int PauseIn(
        ReleaseBoardDbContext db,
        List<ServiceEnvironment> continuous,
        AuditActor actor,
        string reason,
        string action,
        DateTime now
    )
    {
        foreach (var environment in continuous)
        {
            Change(environment, PromotionMode.Paused, now, actor.Name, reason);
            environment.ConcurrencyStamp = Guid.NewGuid();
            Audit(db, actor, action, environment, PromotionMode.Continuous, PromotionMode.Paused, reason, now);
        }
        return continuous.Count;
    }

    private async Task<int> PauseWhereAsync(
        System.Linq.Expressions.Expression<Func<ServiceEnvironment, bool>> which,
        AuditActor actor,
        string reason,
        string action,
        CancellationToken cancellationToken
    )
    {
        // Retried on a concurrent change: a stop must never be lost because someone approved at the same moment.
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = Now();
            var continuous = await db
                .Environments.Where(which)
                .Where(e => e.PromotionMode == PromotionMode.Continuous)
                .ToListAsync(cancellationToken);
            var paused = PauseIn(db, continuous, actor, reason, action, now);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return paused;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // read again and pause what is continuous now
            }
        }
    }

    private async Task<PromotionOutcome> SetAsync(
        int environmentId,
        Guid expectedStamp,
        AuditActor actor,
        string? reason,
        PromotionMode to,
        string action,
        PromotionMode[] from,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(reason))
            return new PromotionOutcome.Refused(PromotionRefusals.ReasonRequired, "Say why.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db.Environments.SingleOrDefaultAsync(e => e.Id == environmentId, cancellationToken);
        if (environment is null)
            return new PromotionOutcome.Refused(PromotionRefusals.NotFound, "There is no such environment.");
        if (environment.ConcurrencyStamp != expectedStamp)
            return new PromotionOutcome.ChangedMeanwhile(Standing(environment));
        if (!from.Contains(environment.PromotionMode))
            return new PromotionOutcome.Refused(
                PromotionRefusals.NotAllowed,
                $"The environment is {environment.PromotionMode}; it cannot go to {to} that way."
            );
        var now = Now();
        if (to == PromotionMode.Manual)
        {
            foreach (
                var pending in await db
                    .PromotionRequests.Where(r =>
                        r.EnvironmentId == environmentId && r.Status == PromotionRequestStatus.Pending
                    )
                    .ToListAsync(cancellationToken)
            )
                (pending.Status, pending.ClosedAt, pending.ClosedBy) = (
                    PromotionRequestStatus.Withdrawn,
                    now,
                    actor.Name
                );
        }
        var before = environment.PromotionMode;
        Change(environment, to, now, actor.Name, reason.Trim());
        environment.ConcurrencyStamp = Guid.NewGuid();
        Audit(db, actor, action, environment, before, to, reason.Trim(), now);
        return await SaveAsync(db, environment, cancellationToken);
    }

    /// <summary>
    /// Expires every request whose time is up, audited, so the trail says so when it happens; returns how many. Two
    /// instances sweeping at once: the environment's stamp lets one win.
    /// </summary>
    public async Task<int> ExpireDueRequestsAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = Now();
            var due = await db
                .PromotionRequests.Include(r => r.Environment)
                .Where(r => r.Status == PromotionRequestStatus.Pending && r.ExpiresAt <= now)
                .ToListAsync(cancellationToken);
            foreach (var request in due)
                Expire(db, request, request.Environment, now);
            try
            {
                if (due.Count > 0)
                    await db.SaveChangesAsync(cancellationToken);
                return due.Count;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // someone acted on one of these environments meanwhile (perhaps expiring it): read again
            }
        }
    }

    /// <summary>Closes this environment's pending requests whose time is up, with an audit entry each.</summary>
    private static async Task ExpireDueAsync(
        ReleaseBoardDbContext db,
        int environmentId,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        var due = await db
            .PromotionRequests.Include(r => r.Environment)
            .Where(r =>
                r.EnvironmentId == environmentId && r.Status == PromotionRequestStatus.Pending && r.ExpiresAt <= now
            )
            .ToListAsync(cancellationToken);
        foreach (var request in due)
            Expire(db, request, request.Environment, now);
    }

    private static void Expire(
        ReleaseBoardDbContext db,
        PromotionRequest request,
        ServiceEnvironment environment,
        DateTime now
    )
    {
        (request.Status, request.ClosedAt, request.ClosedBy) = (
            PromotionRequestStatus.Expired,
            now,
            AuditActor.System.Name
        );
        environment.ConcurrencyStamp = Guid.NewGuid();
        Audit(
            db,
            AuditActor.System,
            "promotion.expired",
            environment,
            environment.PromotionMode,
            environment.PromotionMode,
            $"request {request.Id} by {request.RequestedBy}",
            now
        );
    }

    private static async Task<PromotionOutcome> SaveAsync(
        ReleaseBoardDbContext db,
        ServiceEnvironment environment,
        CancellationToken cancellationToken,
        Func<long>? requestId = null
    )
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new PromotionOutcome.Done(Standing(environment), requestId?.Invoke());
        }
        catch (DbUpdateConcurrencyException)
        {
            // Nothing of this action was stored (one SaveChanges, one transaction); show what stands now.
            db.ChangeTracker.Clear();
            var current = await db
                .Environments.AsNoTracking()
                .SingleAsync(e => e.Id == environment.Id, cancellationToken);
            return new PromotionOutcome.ChangedMeanwhile(Standing(current));
        }
    }

    private static void Change(
        ServiceEnvironment environment,
        PromotionMode to,
        DateTime now,
        string by,
        string? reason
    )
    {
        environment.PromotionMode = to;
        environment.PromotionModeChangedAt = now;
        environment.PromotionModeChangedBy = by.Length > 200 ? by[..200] : by;
        environment.PromotionModeReason = reason is { Length: > 1000 } ? reason[..1000] : reason;
    }

    private static void Audit(
        ReleaseBoardDbContext db,
        AuditActor actor,
        string action,
        ServiceEnvironment environment,
        PromotionMode before,
        PromotionMode after,
        string? reason,
        DateTime now,
        string? evidence = null
    ) =>
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = action,
                Subject = $"environment/{environment.Id}",
                Before = before.ToString(),
                After = after.ToString(),
                Reason = reason,
                Evidence = evidence,
            }
        );

    /// <summary>
    /// A request that is no longer waiting; an expired one says so with its own code, however it came to expire.
    /// </summary>
    private static PromotionOutcome Closed(PromotionRequest request) =>
        request.Status == PromotionRequestStatus.Expired
            ? new PromotionOutcome.Refused(
                PromotionRefusals.Expired,
                $"The request expired at {request.ExpiresAt:yyyy-MM-dd HH:mm} UTC; ask again."
            )
            : new PromotionOutcome.Refused(
                PromotionRefusals.Closed,
                $"The request is {request.Status.ToString().ToLowerInvariant()} already."
            );

    private static EnvironmentStanding Standing(ServiceEnvironment e) =>
        new(
            e.Id,
            e.PromotionMode,
            e.PromotionModeChangedAt,
            e.PromotionModeChangedBy,
            e.PromotionModeReason,
            e.ConcurrencyStamp
        );

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}
