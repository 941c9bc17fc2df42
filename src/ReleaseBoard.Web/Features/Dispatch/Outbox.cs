using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>What the outbox holds, dispatches and notifications alike, as an Admin reads and retries it.</summary>
public sealed class Outbox(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>
    /// An outbox message as the Admin sees it: a dispatch (version, environment) or a notification (event, target).
    /// </summary>
    public sealed record OutboxRow(
        long Id,
        string Where,
        string? Version,
        OutboxState State,
        int Attempts,
        string? Problem,
        OutboxKind Kind = OutboxKind.Dispatch,
        DateTime CreatedAt = default
    );

    /// <summary>The latest outbox messages, newest first: what was sent, what failed and why.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ListAsync(int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .OutboxMessages.AsNoTracking()
            .OrderByDescending(m => m.Id)
            .Take(take)
            .Select(m => new OutboxRow(
                m.Id,
                m.Environment != null
                    ? m.Environment.Service.Team.Slug + "/" + m.Environment.Service.Slug + "/" + m.Environment.Name
                    : db.NotificationTargets.Where(t => t.Id == m.TargetId).Select(t => t.Name).FirstOrDefault()
                        ?? "(removed target)",
                m.Version ?? m.Event,
                m.State,
                m.Attempts,
                m.LastError,
                m.Kind,
                m.CreatedAt
            ))
            .ToListAsync(cancellationToken);
    }

    /// <summary>An Admin sends a dead-lettered (or failed) message again: a fresh budget of attempts.</summary>
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
        db.AuditEntries.Add(actor.Entry(now, "outbox.retried", $"outbox/{message.Id}", after: message.Key));
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }
}
