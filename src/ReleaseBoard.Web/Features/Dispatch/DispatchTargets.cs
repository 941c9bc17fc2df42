using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Dispatch;

public sealed record DispatchTargetRow(int EnvironmentId, string Where, PromotionActionKind Kind, string Url);

/// <summary>
/// Where each environment's promotion is started. Policy like the windows: set by an Admin or an operator, audited;
/// the signing secret is protected and shown once, when it is made.
/// </summary>
public sealed class DispatchTargets(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    IDataProtectionProvider protection,
    TimeProvider clock
)
{
    private const string Purpose = "ReleaseBoard.PromotionActions";

    internal string Unprotect(string protectedSecret) => protection.CreateProtector(Purpose).Unprotect(protectedSecret);

    /// <summary>
    /// Sets the environment's receiver; returns the new secret when one was generated (shown this once).
    /// </summary>
    public async Task<OperationResult<string?>> SetHttpAsync(
        AuditActor actor,
        int environmentId,
        string? url,
        string? secret,
        CancellationToken cancellationToken = default
    )
    {
        if (
            !Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var target)
            || target.Scheme is not ("http" or "https")
            || target.ToString().Length > 2000
        )
            return OperationResult<string?>.Fail("url", "Give the receiver's absolute http(s) address.");
        if (secret is { Length: < 16 })
            return OperationResult<string?>.Fail("secret", "A signing secret is at least 16 characters.");
        var generated = secret is null ? SecretToken.Create("rbs_") : null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.Id,
                Where = e.Service.Team.Slug + "/" + e.Service.Slug + "/" + e.Name,
                e.Service.TeamId,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (environment is null)
            return OperationResult<string?>.Fail("environment", "There is no such environment.");
        var now = clock.GetUtcNow().UtcDateTime;
        var action = await db.PromotionActions.SingleOrDefaultAsync(
            a => a.EnvironmentId == environmentId,
            cancellationToken
        );
        var before = action is null ? null : $"{action.Kind} {Shown(action.Url)}";
        if (action is null)
        {
            action = new PromotionAction
            {
                EnvironmentId = environmentId,
                Url = "",
                ProtectedSecret = "",
                CreatedBy = actor.Name,
            };
            db.PromotionActions.Add(action);
        }
        action.Kind = PromotionActionKind.Http;
        action.Url = target.ToString();
        action.ProtectedSecret = protection.CreateProtector(Purpose).Protect(secret ?? generated!);
        action.CreatedAt = now;
        action.CreatedBy = actor.Name;
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "dispatch.target-set",
                Subject = $"environment/{environment.Id}",
                Before = before,
                After = $"{environment.Where}: Http {Shown(action.Url)} (new signing secret)",
                TeamId = environment.TeamId,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<string?>.Ok(generated);
    }

    public async Task<IReadOnlyList<DispatchTargetRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (
            await db
                .PromotionActions.AsNoTracking()
                .OrderBy(a => a.EnvironmentId)
                .Select(a => new DispatchTargetRow(
                    a.EnvironmentId,
                    a.Environment.Service.Team.Slug + "/" + a.Environment.Service.Slug + "/" + a.Environment.Name,
                    a.Kind,
                    a.Url
                ))
                .ToListAsync(cancellationToken)
        )
            .Select(t => t with { Url = Shown(t.Url) })
            .ToList();
    }

    /// <summary>An address as it may be shown and audited: no user info or query, which may carry tokens.</summary>
    public static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}{(uri.Query.Length > 0 ? "?…" : "")}"
            : "(not an address)";

    public sealed record OutboxRow(
        long Id,
        string Where,
        string? Version,
        OutboxState State,
        int Attempts,
        string? Problem
    );

    /// <summary>The latest outbox messages, newest first: what was sent, what failed and why.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ListMessagesAsync(
        int take,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .OutboxMessages.AsNoTracking()
            .OrderByDescending(m => m.Id)
            .Take(take)
            .Select(m => new OutboxRow(
                m.Id,
                m.Environment == null
                    ? ""
                    : m.Environment.Service.Team.Slug + "/" + m.Environment.Service.Slug + "/" + m.Environment.Name,
                m.Version,
                m.State,
                m.Attempts,
                m.LastError
            ))
            .ToListAsync(cancellationToken);
    }

    /// <summary>An Admin sends a dead-lettered (or failed) dispatch again: a fresh budget of attempts.</summary>
    public async Task<OperationResult<bool>> RetryAsync(
        AuditActor actor,
        long messageId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = await db.OutboxMessages.SingleOrDefaultAsync(m => m.Id == messageId, cancellationToken);
        if (message is null)
            return OperationResult<bool>.Fail("id", $"There is no outbox message {messageId}.");
        if (message.State is not (OutboxState.DeadLettered or OutboxState.Failed))
            return OperationResult<bool>.Fail("id", $"Message {messageId} is {message.State}; only failed ones retry.");
        var now = clock.GetUtcNow().UtcDateTime;
        (message.State, message.Attempts, message.NextAttemptAt, message.FinishedAt) = (
            OutboxState.Pending,
            0,
            now,
            null
        );
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "dispatch.retried",
                Subject = $"outbox/{message.Id}",
                After = message.Key,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }
}
