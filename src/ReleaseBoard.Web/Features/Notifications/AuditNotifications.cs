using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Notifications;

/// <summary>
/// Turns the audit entries of a write into notifications, in the same SaveChanges and so the same transaction: a pause,
/// a request or a failed dispatch is never stored without its message, nor the other way round (decision 0012).
/// Entries of one kind, team and reason (an incident pausing three environments) make one notice.
/// </summary>
public sealed class AuditNotifications(IOptions<TransportOptions> transport) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is ReleaseBoardDbContext db && Announced(db) is { Count: > 0 } entries)
            AddAsync(db, entries, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default
    )
    {
        if (eventData.Context is ReleaseBoardDbContext db && Announced(db) is { Count: > 0 } entries)
            await AddAsync(db, entries, cancellationToken);
        return result;
    }

    private static List<AuditEntry> Announced(ReleaseBoardDbContext db) =>
        db
            .ChangeTracker.Entries<AuditEntry>()
            // An entry that comes with its id was written before (an import restores it): it was told then.
            .Where(e => e.State == EntityState.Added && e.Entity.Id == 0)
            .Where(e => NotificationEvents.OfAudit(e.Entity.Action) is not null)
            .Select(e => e.Entity)
            .ToList();

    private async Task AddAsync(ReleaseBoardDbContext db, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        var environmentIds = entries.Select(e => EnvironmentOf(e.Subject)).OfType<int>().Distinct().ToList();
        var environments = await db
            .Environments.AsNoTracking()
            .Where(e => environmentIds.Contains(e.Id))
            .Select(e => new Place(
                e.Id,
                e.Service.TeamId,
                e.Service.Team.Slug,
                e.Service.Team.Name,
                e.Service.Name,
                e.Name
            ))
            .ToDictionaryAsync(e => e.EnvironmentId, cancellationToken);
        var teamIds = entries
            .Select(e =>
                EnvironmentOf(e.Subject) is { } id && environments.TryGetValue(id, out var p) ? p.TeamId : e.TeamId
            )
            .OfType<int>()
            .Distinct()
            .ToList();
        var teams = await db
            .Teams.AsNoTracking()
            .Where(t => teamIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, t => (t.Slug, t.Name), cancellationToken);
        var notices = NoticeWriter.Write(entries, environments, teams, transport.Value.PublicBase);
        if (notices.Count == 0)
            return;
        var targets = await db
            .NotificationTargets.AsNoTracking()
            .Select(t => new
            {
                t.Id,
                t.TeamId,
                t.Kind,
                t.Events,
            })
            .ToListAsync(cancellationToken);
        foreach (var notice in notices)
        foreach (var target in targets)
        {
            // A team's target hears its team and what concerns everyone (a freeze of all teams).
            if (target.TeamId is not null && notice.TeamId is not null && target.TeamId != notice.TeamId)
                continue;
            if (target.Events.Length > 0 && !target.Events.Split(',').Contains(notice.Event))
                continue;
            var key = $"notify/{target.Id.ToString(CultureInfo.InvariantCulture)}/{notice.Key}";
            db.OutboxMessages.Add(
                new OutboxMessage
                {
                    Kind = OutboxKind.Notification,
                    Key = key,
                    TargetId = target.Id,
                    Event = notice.Event,
                    Payload = NotificationBodies.Render(target.Kind, notice, key),
                    State = OutboxState.Pending,
                    NextAttemptAt = notice.At,
                    CreatedAt = notice.At,
                }
            );
        }
    }

    internal static int? EnvironmentOf(string subject) =>
        subject.StartsWith("environment/", StringComparison.Ordinal)
        && int.TryParse(subject["environment/".Length..], CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}

/// <summary>An environment as a notice names it.</summary>
internal sealed record Place(
    int EnvironmentId,
    int TeamId,
    string TeamSlug,
    string TeamName,
    string Service,
    string Environment
);
