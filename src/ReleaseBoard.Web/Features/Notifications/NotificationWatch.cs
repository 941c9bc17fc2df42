using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Notifications;

/// <summary>
/// What happens with time and no write to announce it: a scheduled freeze starting or ending, a record streak beaten.
/// Each is written as an audit entry (which brings its notifications), once: two instances writing the same moment
/// collide on the notification's unique key and one stands. With no target to collide on, both audit entries may
/// stand; nobody is told twice.
/// </summary>
public sealed class NotificationWatch(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    ILogger<NotificationWatch> logger
)
{
    /// <summary>Looks once; returns how many audit entries (and so notices) it wrote.</summary>
    public async Task<int> WatchAsync(bool records, CancellationToken cancellationToken = default)
    {
        var written = await FreezesAsync(cancellationToken);
        if (records)
            written += await RecordsAsync(cancellationToken);
        return written;
    }

    private async Task<int> FreezesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        // Freezes that are on, or that ended in the last day: the rest were told of, or never started.
        var freezes = await db
            .Freezes.AsNoTracking()
            .Where(f => f.StartsAt <= now && f.EndsAt > now.AddDays(-1) && f.StartsAt < f.EndsAt)
            .Select(f => new
            {
                f.Id,
                f.StartsAt,
                f.EndsAt,
                f.Reason,
                f.CancelledAt,
                f.CancelledBy,
                f.TeamId,
                EnvironmentTeamId = f.Environment == null ? (int?)null : f.Environment.Service.TeamId,
                Where = f.Environment != null
                    ? f.Environment.Service.Team.Slug + "/" + f.Environment.Service.Slug + "/" + f.Environment.Name
                : f.Team != null ? f.Team.Name
                : "every team",
            })
            .ToListAsync(cancellationToken);
        if (freezes.Count == 0)
            return 0;
        var subjects = freezes.Select(f => $"freeze/{f.Id}").ToList();
        var told = (
            await db
                .AuditEntries.AsNoTracking()
                .Where(a =>
                    subjects.Contains(a.Subject)
                    && (
                        a.Action == NotificationEvents.FreezeStartedAction
                        || a.Action == NotificationEvents.FreezeEndedAction
                    )
                )
                .Select(a => new { a.Subject, a.Action })
                .ToListAsync(cancellationToken)
        ).ToHashSet();
        var written = 0;
        foreach (var freeze in freezes)
        {
            var subject = $"freeze/{freeze.Id}";
            var started = told.Contains(new { Subject = subject, Action = NotificationEvents.FreezeStartedAction });
            var ended = told.Contains(new { Subject = subject, Action = NotificationEvents.FreezeEndedAction });
            var over = freeze.EndsAt <= now || freeze.CancelledAt is not null;
            var teamId = freeze.EnvironmentTeamId ?? freeze.TeamId;
            AuditEntry? entry = null;
            if (!started && !over)
                entry = AuditActor.System.Entry(
                    now,
                    NotificationEvents.FreezeStartedAction,
                    subject,
                    teamId,
                    before: "",
                    after: $"{freeze.Where} until {freeze.EndsAt:yyyy-MM-dd HH:mm} UTC",
                    reason: freeze.Reason
                );
            else if (started && !ended && over)
                entry = AuditActor.System.Entry(
                    now,
                    NotificationEvents.FreezeEndedAction,
                    subject,
                    teamId,
                    before: "",
                    after: freeze.Where,
                    reason: freeze.CancelledAt is not null
                        ? $"Cancelled by {freeze.CancelledBy}; promotion follows its windows again."
                        : "It ran its time; promotion follows its windows again."
                );
            if (entry is not null && await WriteAsync(entry, cancellationToken))
                written++;
        }
        return written;
    }

    /// <summary>
    /// A team whose days since the last counting catch exceed its longest run before: told once per run, on the day
    /// it beats the record (as the wall counts, in the team's time zone).
    /// </summary>
    private async Task<int> RecordsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.NotificationTargets.AnyAsync(cancellationToken))
            return 0; // nobody listens; nothing is worth the reading
        var now = clock.GetUtcNow().UtcDateTime;
        var teams = await db
            .Teams.AsNoTracking()
            .Where(t => db.NotificationTargets.Any(n => n.TeamId == null || n.TeamId == t.Id))
            .Select(t => new
            {
                t.Id,
                t.TimeZoneId,
                t.CountingSeverityThreshold,
            })
            .ToListAsync(cancellationToken);
        var written = 0;
        foreach (var team in teams)
        {
            var catches = await db
                .Catches.Where(c => c.Service.TeamId == team.Id)
                .ThatCount(team.CountingSeverityThreshold)
                .Select(c => c.CaughtAt)
                .ToListAsync(cancellationToken);
            if (catches.Count < 2)
                continue;
            var zone = TeamTime.Zone(team.TimeZoneId);
            var streak = CatchStreakCalculator.Calculate(catches, null, now, zone);
            if (!streak.IsNewRecord)
                continue;
            // The record as it stood on the day of the last catch: the run before this one.
            var before = CatchStreakCalculator.Calculate(catches, null, catches.Max(), zone).RecordDays;
            var since = streak.Today.AddDays(-streak.DaysSince).ToString("yyyy-MM-dd");
            var subject = $"team/{team.Id}";
            if (
                await db.AuditEntries.AnyAsync(
                    a => a.Action == NotificationEvents.RecordBeatenAction && a.Subject == subject && a.Before == since,
                    cancellationToken
                )
            )
                continue;
            var entry = AuditActor.System.Entry(
                now,
                NotificationEvents.RecordBeatenAction,
                subject,
                team.Id,
                before: since,
                after: $"{streak.DaysSince} days",
                reason: $"the longest run before was {before} days"
            );
            if (await WriteAsync(entry, cancellationToken))
                written++;
        }
        return written;
    }

    private async Task<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(entry);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex)
        {
            // Another instance told the same thing a moment ago: its notice (keyed alike) stands.
            logger.LogDebug(ex, "{Action} of {Subject} was written by another instance.", entry.Action, entry.Subject);
            return false;
        }
    }
}
