using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Windows;

/// <summary>What a freeze covers: one environment, one team, or everyone (both null).</summary>
public sealed record FreezeScope(int? TeamId, int? EnvironmentId)
{
    public static readonly FreezeScope Everyone = new(null, null);
}

public sealed record WindowRow(
    int Id,
    int EnvironmentId,
    string Team,
    string Service,
    string Environment,
    WindowKind Kind,
    string Rule,
    string? Reason
);

public sealed record FreezeRow(
    int Id,
    string Scope,
    int? TeamId,
    DateTime StartsAt,
    DateTime EndsAt,
    string Reason,
    string CreatedBy
);

/// <summary>
/// Deployment windows and scheduled freezes: policy, so people set them (the admin page, the command line) and each
/// change is audited; the gate, the pipelines page and the wall read them fresh.
/// </summary>
public sealed class DeploymentWindows(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public const int ReasonMaxLength = 300;

    public async Task<WindowState> StateAsync(int environmentId, CancellationToken cancellationToken = default) =>
        (await StatesAsync([environmentId], cancellationToken))[environmentId];

    /// <summary>The state of each environment now, read in one go for a page of them.</summary>
    public async Task<IReadOnlyDictionary<int, WindowState>> StatesAsync(
        IReadOnlyCollection<int> environmentIds,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var calendars = await CalendarsAsync(environmentIds, now, cancellationToken);
        return calendars.ToDictionary(c => c.Key, c => c.Value.At(now));
    }

    public async Task<IReadOnlyDictionary<int, WindowCalendar>> CalendarsAsync(
        IReadOnlyCollection<int> environmentIds,
        DateTime nowUtc,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environments = await db
            .Environments.AsNoTracking()
            .Where(e => environmentIds.Contains(e.Id))
            .Select(e => new
            {
                e.Id,
                e.Service.TeamId,
                e.Service.Team.TimeZoneId,
            })
            .ToListAsync(cancellationToken);
        var windows = (
            await db
                .PromotionWindows.AsNoTracking()
                .Where(w => environmentIds.Contains(w.EnvironmentId))
                .OrderBy(w => w.Id)
                .ToListAsync(cancellationToken)
        ).ToLookup(w => w.EnvironmentId);
        var teamIds = environments.Select(e => e.TeamId).Distinct().ToList();
        var freezes = await db
            .Freezes.AsNoTracking()
            .Where(f => f.CancelledAt == null && f.EndsAt > nowUtc)
            .Where(f =>
                (f.EnvironmentId != null && environmentIds.Contains(f.EnvironmentId.Value))
                || (f.EnvironmentId == null && f.TeamId != null && teamIds.Contains(f.TeamId.Value))
                || (f.EnvironmentId == null && f.TeamId == null)
            )
            .Select(f => new
            {
                f.Id,
                f.TeamId,
                f.EnvironmentId,
                f.StartsAt,
                f.EndsAt,
                f.Reason,
                Team = f.Team == null ? null : f.Team.Name,
            })
            .ToListAsync(cancellationToken);

        return environments.ToDictionary(
            e => e.Id,
            e => new WindowCalendar(
                TeamTime.Zone(e.TimeZoneId),
                windows[e.Id]
                    .Select(w => new EnvironmentWindow(w.Id, w.Kind, WindowRule.Parse(w.Rule), w.Reason))
                    .ToList(),
                freezes
                    .Where(f =>
                        f.EnvironmentId == e.Id
                        || (f.EnvironmentId == null && f.TeamId == e.TeamId)
                        || (f.EnvironmentId == null && f.TeamId == null)
                    )
                    .Select(f => new FreezeSpan(
                        f.Id,
                        new UtcInterval(f.StartsAt, f.EndsAt),
                        f.Reason,
                        f.EnvironmentId is not null ? "this environment"
                            : f.Team is not null ? $"team {f.Team}"
                            : "everyone"
                    ))
                    .ToList()
            )
        );
    }

    public sealed record Place(int TeamId, int? EnvironmentId, TimeZoneInfo Zone);

    /// <summary>A team, or one of its environments, by the slugs people type; null when there is none.</summary>
    public async Task<Place?> FindAsync(
        string teamSlug,
        string? serviceSlug,
        string? environmentName,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db
            .Teams.Where(t => t.Slug == teamSlug)
            .Select(t => new { t.Id, t.TimeZoneId })
            .SingleOrDefaultAsync(cancellationToken);
        if (team is null)
            return null;
        if (serviceSlug is null && environmentName is null)
            return new Place(team.Id, null, TeamTime.Zone(team.TimeZoneId));
        var environmentId = await db
            .Environments.Where(e =>
                e.Service.TeamId == team.Id && e.Service.Slug == serviceSlug && e.Name == environmentName
            )
            .Select(e => (int?)e.Id)
            .SingleOrDefaultAsync(cancellationToken);
        return environmentId is null ? null : new Place(team.Id, environmentId, TeamTime.Zone(team.TimeZoneId));
    }

    public async Task<IReadOnlyList<WindowRow>> ListWindowsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .PromotionWindows.AsNoTracking()
            .OrderBy(w => w.Environment.Service.Team.Slug)
            .ThenBy(w => w.Environment.Service.Slug)
            .ThenBy(w => w.Environment.Order)
            .ThenBy(w => w.Id)
            .Select(w => new WindowRow(
                w.Id,
                w.EnvironmentId,
                w.Environment.Service.Team.Slug,
                w.Environment.Service.Slug,
                w.Environment.Name,
                w.Kind,
                w.Rule,
                w.Reason
            ))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Freezes not over yet and not cancelled, soonest first.</summary>
    public async Task<IReadOnlyList<FreezeRow>> ListFreezesAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .Freezes.AsNoTracking()
            .Where(f => f.CancelledAt == null && f.EndsAt > now)
            .OrderBy(f => f.StartsAt)
            .Select(f => new FreezeRow(
                f.Id,
                f.Environment != null
                        ? f.Environment.Service.Team.Slug + "/" + f.Environment.Service.Slug + "/" + f.Environment.Name
                    : f.Team != null ? "team " + f.Team.Slug
                    : "everyone",
                f.Environment != null ? f.Environment.Service.TeamId : f.TeamId,
                f.StartsAt,
                f.EndsAt,
                f.Reason,
                f.CreatedBy
            ))
            .ToListAsync(cancellationToken);
    }

    public async Task<OperationResult<int>> AddWindowAsync(
        AuditActor actor,
        int environmentId,
        WindowKind kind,
        string? rule,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        if (!WindowRule.TryParse(rule, out var parsed, out var error))
            return OperationResult<int>.Fail("rule", error);
        if (reason is { Length: > ReasonMaxLength })
            return OperationResult<int>.Fail("reason", $"The reason can be at most {ReasonMaxLength} characters.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.Id,
                e.Name,
                Service = e.Service.Slug,
                e.Service.TeamId,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (environment is null)
            return OperationResult<int>.Fail("environment", "There is no such environment.");
        var now = clock.GetUtcNow().UtcDateTime;
        var window = new PromotionWindow
        {
            EnvironmentId = environmentId,
            Kind = kind,
            Rule = parsed.Text,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            CreatedAt = now,
            CreatedBy = actor.Name,
        };
        db.PromotionWindows.Add(window);
        db.AuditEntries.Add(
            actor.Entry(
                now,
                "window.added",
                $"environment/{environment.Id}",
                environment.TeamId,
                after: $"{environment.Service}/{environment.Name}: {Describe(window)}"
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<int>.Ok(window.Id);
    }

    public async Task<OperationResult<bool>> RemoveWindowAsync(
        AuditActor actor,
        int windowId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var window = await db
            .PromotionWindows.Include(w => w.Environment)
                .ThenInclude(e => e.Service)
            .SingleOrDefaultAsync(w => w.Id == windowId, cancellationToken);
        if (window is null)
            return OperationResult<bool>.Fail("id", $"There is no window {windowId}.");
        db.PromotionWindows.Remove(window);
        db.AuditEntries.Add(
            actor.Entry(
                clock.GetUtcNow().UtcDateTime,
                "window.removed",
                $"environment/{window.EnvironmentId}",
                window.Environment.Service.TeamId,
                before: $"{window.Environment.Service.Slug}/{window.Environment.Name}: {Describe(window)}"
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    public async Task<OperationResult<int>> ScheduleFreezeAsync(
        AuditActor actor,
        FreezeScope scope,
        DateTime startsAtUtc,
        DateTime endsAtUtc,
        string? reason,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (string.IsNullOrWhiteSpace(reason))
            return OperationResult<int>.Fail("reason", "Say why the line stops, for those who find it frozen.");
        if (reason.Trim().Length > ReasonMaxLength)
            return OperationResult<int>.Fail("reason", $"The reason can be at most {ReasonMaxLength} characters.");
        if (endsAtUtc <= startsAtUtc)
            return OperationResult<int>.Fail("endsAt", "The freeze must end after it starts.");
        if (endsAtUtc <= now)
            return OperationResult<int>.Fail("endsAt", "That freeze would be over already.");
        if (scope.TeamId is not null && scope.EnvironmentId is not null)
            return OperationResult<int>.Fail("scope", "A freeze is for one environment, one team or everyone.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        int? teamId = scope.TeamId;
        string subject;
        if (scope.EnvironmentId is { } environmentId)
        {
            teamId = await db
                .Environments.Where(e => e.Id == environmentId)
                .Select(e => (int?)e.Service.TeamId)
                .SingleOrDefaultAsync(cancellationToken);
            if (teamId is null)
                return OperationResult<int>.Fail("scope", "There is no such environment.");
            subject = $"environment/{environmentId}";
        }
        else if (scope.TeamId is { } team)
        {
            if (!await db.Teams.AnyAsync(t => t.Id == team, cancellationToken))
                return OperationResult<int>.Fail("scope", "There is no such team.");
            subject = $"team/{team}";
        }
        else
            subject = "everyone";

        var strategy = db.Database.CreateExecutionStrategy();
        // Built inside the retried block, so a retry never re-inserts an entity that got an id already.
        var freeze = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var entity = new Freeze
            {
                TeamId = scope.EnvironmentId is null ? scope.TeamId : null,
                EnvironmentId = scope.EnvironmentId,
                StartsAt = startsAtUtc,
                EndsAt = endsAtUtc,
                Reason = reason.Trim(),
                CreatedAt = now,
                CreatedBy = actor.Name,
            };
            // The freeze and its audit entry commit together; the entry names the freeze's id, so two saves.
            db.Freezes.Add(entity);
            await db.SaveChangesAsync(cancellationToken);
            db.AuditEntries.Add(
                actor.Entry(
                    now,
                    "freeze.scheduled",
                    $"freeze/{entity.Id}",
                    teamId,
                    after: $"{subject} frozen {startsAtUtc:yyyy-MM-dd HH:mm}–{endsAtUtc:yyyy-MM-dd HH:mm} UTC: "
                        + entity.Reason
                )
            );
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return entity;
        });
        return OperationResult<int>.Ok(freeze.Id);
    }

    public async Task<OperationResult<bool>> CancelFreezeAsync(
        AuditActor actor,
        int freezeId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var freeze = await db.Freezes.SingleOrDefaultAsync(f => f.Id == freezeId, cancellationToken);
        if (freeze is null)
            return OperationResult<bool>.Fail("id", $"There is no freeze {freezeId}.");
        if (freeze.CancelledAt is not null)
            return OperationResult<bool>.Fail("id", $"Freeze {freezeId} is cancelled already.");
        var now = clock.GetUtcNow().UtcDateTime;
        freeze.CancelledAt = now;
        freeze.CancelledBy = actor.Name;
        var teamId = freeze.EnvironmentId is { } environmentId
            ? await db
                .Environments.Where(e => e.Id == environmentId)
                .Select(e => (int?)e.Service.TeamId)
                .SingleOrDefaultAsync(cancellationToken)
            : freeze.TeamId;
        db.AuditEntries.Add(
            actor.Entry(
                now,
                "freeze.cancelled",
                $"freeze/{freeze.Id}",
                teamId,
                before: $"frozen {freeze.StartsAt:yyyy-MM-dd HH:mm}–{freeze.EndsAt:yyyy-MM-dd HH:mm} UTC: "
                    + freeze.Reason
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    private static string Describe(PromotionWindow window) =>
        WindowRule.Describe(window.Kind, window.Rule, window.Reason);
}
