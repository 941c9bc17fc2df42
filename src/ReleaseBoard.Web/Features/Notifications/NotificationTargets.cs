using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Notifications;

public sealed record NotificationTargetRow(
    int Id,
    string Name,
    NotificationKind Kind,
    string Team,
    string Shown,
    IReadOnlyList<string> Events,
    DateTime CreatedAt,
    string CreatedBy
);

/// <summary>
/// Where each team hears what happened. Set by Admins (page or command line), audited; the webhook address and the
/// signing secret are protected, and a generated secret is shown once. Removing a target cancels what it still owed.
/// </summary>
public sealed class NotificationTargets(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    IDataProtectionProvider protection,
    ReceiverClient receiver,
    TimeProvider clock
) : IOutboxChannel
{
    private const string Purpose = "ReleaseBoard.NotificationTargets";

    /// <summary>Adds a target; returns its id and, for JSON given no secret, the one made (shown once).</summary>
    public async Task<OperationResult<(int Id, string? Secret)>> AddAsync(
        AuditActor actor,
        int? teamId,
        NotificationKind kind,
        string? name,
        string? url,
        IEnumerable<string>? events,
        string? secret = null,
        CancellationToken cancellationToken = default
    )
    {
        static OperationResult<(int, string?)> Fail(string field, string message) =>
            OperationResult<(int, string?)>.Fail(field, message);
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
            return Fail("name", "Give the target a name of at most 100 characters, e.g. #payments-releases.");
        if (!ReceiverAddress.TryParse(url, out var address))
            return Fail("url", "Give the webhook's absolute http(s) address.");
        var (codes, unknown) = NotificationEvents.Parse(events);
        if (unknown is not null)
            return Fail(
                "events",
                $"\"{unknown}\" is not an event; known: "
                    + $"{string.Join(", ", NotificationEvents.All.Select(e => e.Code))}."
            );
        if (kind != NotificationKind.Json && secret is not null)
            return Fail("secret", "Only JSON targets are signed; Slack and Teams carry their token in the address.");
        if (DispatchSignature.Weak(secret) is { } weak)
            return Fail("secret", weak);
        var generated = kind == NotificationKind.Json && secret is null ? SecretToken.Create("rbn_") : null;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        string team = "every team";
        if (teamId is { } id)
        {
            if (
                await db.Teams.Where(t => t.Id == id).Select(t => t.Slug).SingleOrDefaultAsync(cancellationToken)
                is not { } slug
            )
                return Fail("team", "There is no such team.");
            team = slug;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var protector = protection.CreateProtector(Purpose);
        var target = new NotificationTarget
        {
            TeamId = teamId,
            Kind = kind,
            Name = name.Trim(),
            ProtectedUrl = protector.Protect(address.ToString()),
            ShownUrl = StoredText.Clip(ReceiverAddress.Shown(address.ToString()), 300)!,
            ProtectedSecret = kind == NotificationKind.Json ? protector.Protect(secret ?? generated!) : null,
            Events = string.Join(',', codes),
            CreatedAt = now,
            CreatedBy = actor.Name,
        };
        // The target and its audit entry commit together; the entry names the target's id, so two saves.
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            target.Id = 0;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.NotificationTargets.Add(target);
            await db.SaveChangesAsync(cancellationToken);
            db.AuditEntries.Add(
                actor.Entry(
                    now,
                    "notification.target-added",
                    $"notification-target/{target.Id}",
                    teamId,
                    after: $"{target.Name}: {kind} {target.ShownUrl} for {team}; events: {EventsShown(target.Events)}"
                )
            );
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return OperationResult<(int, string?)>.Ok((target.Id, (string?)generated));
    }

    private static string EventsShown(string events) => events.Length == 0 ? "all" : events.Replace(",", ", ");

    public async Task<IReadOnlyList<NotificationTargetRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .NotificationTargets.AsNoTracking()
            .OrderBy(t => t.Id)
            .Select(t => new
            {
                t.Id,
                t.Name,
                t.Kind,
                Team = t.Team == null ? "every team" : t.Team.Slug,
                t.ShownUrl,
                t.Events,
                t.CreatedAt,
                t.CreatedBy,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(t => new NotificationTargetRow(
                t.Id,
                t.Name,
                t.Kind,
                t.Team,
                t.ShownUrl,
                t.Events.Length == 0 ? [] : t.Events.Split(','),
                t.CreatedAt,
                t.CreatedBy
            ))
            .ToList();
    }

    /// <summary>Removes the target; what it still owed is cancelled with it, in the same transaction.</summary>
    public async Task<OperationResult<bool>> RemoveAsync(
        AuditActor actor,
        int targetId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await db.NotificationTargets.SingleOrDefaultAsync(t => t.Id == targetId, cancellationToken);
        if (target is null)
            return OperationResult<bool>.Fail("id", $"There is no notification target {targetId}.");
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (
            var owed in await db
                .OutboxMessages.Where(m => m.TargetId == targetId && m.State == OutboxState.Pending)
                .ToListAsync(cancellationToken)
        )
            (owed.State, owed.FinishedAt, owed.LastError, owed.LeaseOwner, owed.LeaseUntil) = (
                OutboxState.Cancelled,
                now,
                "the target was removed",
                null,
                null
            );
        db.NotificationTargets.Remove(target);
        db.AuditEntries.Add(
            actor.Entry(
                now,
                "notification.target-removed",
                $"notification-target/{target.Id}",
                target.TeamId,
                before: $"{target.Name}: {target.Kind} {target.ShownUrl}"
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    /// <summary>
    /// Sends a test message now, past the outbox, so the Admin sees at once whether the address works; audited.
    /// </summary>
    public async Task<OperationResult<string>> SendTestAsync(
        AuditActor actor,
        int targetId,
        Uri? publicBase,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var target = await db
            .NotificationTargets.Include(t => t.Team)
            .SingleOrDefaultAsync(t => t.Id == targetId, cancellationToken);
        if (target is null)
            return OperationResult<string>.Fail("id", $"There is no notification target {targetId}.");
        var now = clock.GetUtcNow().UtcDateTime;
        var key = $"notify/{target.Id}/test/{Guid.NewGuid():N}";
        var notice = new Notice(
            NotificationEvents.Test,
            target.TeamId,
            target.Team?.Slug,
            $"ReleaseBoard test message for {target.Name}",
            $"{actor.Name} sent this test. Events for {target.Team?.Name ?? "every team"} arrive here.",
            [new NoticeFact("Events", EventsShown(target.Events))],
            publicBase is null ? null : new Uri(publicBase, "admin/notifications").ToString(),
            "Open the notification targets",
            now,
            key
        );
        using var request = Build(target, NotificationBodies.Render(target.Kind, notice, key));
        request.Headers.Add(OutboxSender.IdempotencyHeader, key);
        var (status, error) = await receiver.SendAsync(request, cancellationToken);
        var succeeded = status is >= 200 and < 300;
        var outcome = status is null ? error! : $"HTTP {status}";
        db.AuditEntries.Add(
            actor.Entry(
                now,
                "notification.tested",
                $"notification-target/{target.Id}",
                target.TeamId,
                after: $"{target.Name}: {outcome}"
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return succeeded
            ? OperationResult<string>.Ok($"{target.ShownUrl} answered {outcome}.")
            : OperationResult<string>.Fail("id", $"{target.ShownUrl} did not take it: {outcome}.");
    }

    OutboxKind IOutboxChannel.Kind => OutboxKind.Notification;

    async Task<OutboxDelivery> IOutboxChannel.PrepareAsync(
        ReleaseBoardDbContext db,
        OutboxMessage message,
        CancellationToken ct
    )
    {
        var target = await db
            .NotificationTargets.AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == message.TargetId, ct);
        var subject = $"notification-target/{message.TargetId}";
        return target is null
            ? new OutboxDelivery(null, subject, null, WhyNot: "the target was removed")
            : new OutboxDelivery(Build(target, message.Payload), subject, target.TeamId);
    }

    /// <summary>Sent notifications are not audited (the trail holds what happened, once); failures are.</summary>
    string? IOutboxChannel.AuditAction(OutboxState state) =>
        state is OutboxState.Failed or OutboxState.DeadLettered ? "notification.failed" : null;

    private HttpRequestMessage Build(NotificationTarget target, string payload)
    {
        var protector = protection.CreateProtector(Purpose);
        var body = Encoding.UTF8.GetBytes(payload);
        var request = new HttpRequestMessage(HttpMethod.Post, protector.Unprotect(target.ProtectedUrl))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (target is { Kind: NotificationKind.Json, ProtectedSecret: { } secret })
            request.Headers.Add(DispatchSignature.Header, DispatchSignature.Sign(protector.Unprotect(secret), body));
        return request;
    }
}
