using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Promotion;

public sealed record PendingRequest(
    long Id,
    string RequestedBy,
    string Reason,
    DateTime RequestedAt,
    DateTime ExpiresAt,
    int Required,
    IReadOnlyList<string> ApprovedBy
);

public sealed record PipelineEnvironment(
    int Id,
    string Name,
    bool IsProduction,
    PromotionMode Mode,
    DateTime Since,
    string? By,
    string? Reason,
    Guid Stamp,
    int RequiredApprovals,
    int SoakMinutes,
    PendingRequest? Pending
)
{
    /// <summary>
    /// The evidence beside the switch, for stages that are not continuous (where turning it on is the question).
    /// </summary>
    public Readiness? Readiness { get; init; }

    /// <summary>With a request waiting: the evidence an approval stores, whose hash the page sends with it.</summary>
    public ApprovalEvidence? Evidence { get; init; }

    /// <summary>Its deployment window now, when one or a freeze applies.</summary>
    public WindowState? Window { get; init; }

    /// <summary>The last promotion ReleaseBoard started here itself, and what became of it.</summary>
    public LastDispatch? Dispatch { get; init; }
}

/// <param name="DeployedAt">When a deployment of that version here was reported to have succeeded, if it was.</param>
public sealed record LastDispatch(
    string Version,
    OutboxState State,
    DateTime QueuedAt,
    DateTime? FinishedAt,
    string? Problem,
    DateTime? DeployedAt
)
{
    /// <summary>What became of it, with times in the team's zone.</summary>
    public string Summary(TimeZoneInfo zone)
    {
        string At(DateTime utc) => Metrics.TeamTime.Stamp(utc, zone);
        return State switch
        {
            OutboxState.Sent => $"{Version} dispatched {At(FinishedAt ?? QueuedAt)}"
                + (DeployedAt is { } at ? $" · deployment reported {At(at)}" : " · no deployment reported yet"),
            OutboxState.Pending =>
                $"{Version} dispatching (queued {At(QueuedAt)}){(Problem is null ? "" : $": {Problem}")}",
            OutboxState.Cancelled => $"{Version} dispatch cancelled: {Problem}",
            _ => $"{Version} dispatch {State.ToString().ToLowerInvariant()}: {Problem}",
        };
    }
}

public sealed record PipelineService(
    int Id,
    string Slug,
    string Name,
    string TeamSlug,
    string TeamName,
    IReadOnlyList<PipelineEnvironment> Environments
)
{
    public MaturityStep? Maturity { get; init; }

    /// <summary>The team's zone: the page shows every time of this service in it, and names it.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
}

public sealed record RecentChange(
    DateTime At,
    string Actor,
    string Action,
    string Where,
    string? Before,
    string? After,
    string? Reason
)
{
    /// <summary>The zone of the team whose environment changed.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
}

public sealed record PipelinesView(IReadOnlyList<PipelineService> Services, IReadOnlyList<RecentChange> Recent);

/// <summary>
/// What the pipelines page shows: every service of a team (or of all) with its stages in order, their states and
/// pending requests.
/// </summary>
public sealed class PipelinesQuery(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    ReadinessEvaluator readiness,
    EvidenceSnapshot snapshots,
    DeploymentWindows windows
)
{
    public async Task<PipelinesView> LoadAsync(string? teamSlug, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var services = await db
            .Services.AsNoTracking()
            .Where(s => teamSlug == null || s.Team.Slug == teamSlug)
            .OrderBy(s => s.Team.Name)
            .ThenBy(s => s.Name)
            .Select(s => new
            {
                s.Id,
                s.Slug,
                s.Name,
                TeamSlug = s.Team.Slug,
                TeamName = s.Team.Name,
                s.Team.TimeZoneId,
            })
            .ToListAsync(cancellationToken);
        var serviceIds = services.Select(s => s.Id).ToList();
        var environments = await db
            .Environments.AsNoTracking()
            .Where(e => serviceIds.Contains(e.ServiceId))
            .OrderBy(e => e.Order)
            .ToListAsync(cancellationToken);
        var environmentIds = environments.Select(e => e.Id).ToList();
        // A request past its expiry is shown as gone; the next action on the environment records its expiry.
        var pending = await db
            .PromotionRequests.AsNoTracking()
            .Where(r =>
                environmentIds.Contains(r.EnvironmentId)
                && r.Status == PromotionRequestStatus.Pending
                && r.ExpiresAt > now
            )
            .Select(r => new
            {
                r.EnvironmentId,
                Request = new PendingRequest(
                    r.Id,
                    r.RequestedBy,
                    r.Reason,
                    r.RequestedAt,
                    r.ExpiresAt,
                    r.RequiredApprovals,
                    r.Approvals.OrderBy(a => a.ApprovedAt).Select(a => a.ApprovedBy).ToList()
                ),
            })
            .ToListAsync(cancellationToken);
        var pendingByEnvironment = pending.ToDictionary(p => p.EnvironmentId, p => p.Request);

        var windowStates = await windows.StatesAsync(environmentIds, cancellationToken);
        var dispatches = await LastDispatchesAsync(db, environmentIds, cancellationToken);
        var evidence = new Dictionary<int, Readiness>();
        var approving = new Dictionary<int, ApprovalEvidence>();
        foreach (var environment in environments.Where(e => e.PromotionMode != PromotionMode.Continuous))
        {
            if (pendingByEnvironment.ContainsKey(environment.Id))
            {
                var snapshot = await snapshots.TakeAsync(environment.Id, environment.SoakMinutes, cancellationToken);
                (approving[environment.Id], evidence[environment.Id]) = (snapshot, new Readiness(snapshot.Criteria));
            }
            else
                evidence[environment.Id] = await readiness.EvaluateAsync(environment.Id, cancellationToken);
        }
        var result = services
            .Select(s => new PipelineService(
                s.Id,
                s.Slug,
                s.Name,
                s.TeamSlug,
                s.TeamName,
                environments
                    .Where(e => e.ServiceId == s.Id)
                    .Select(e => new PipelineEnvironment(
                        e.Id,
                        e.Name,
                        e.IsProduction,
                        e.PromotionMode,
                        e.PromotionModeChangedAt,
                        e.PromotionModeChangedBy,
                        e.PromotionModeReason,
                        e.ConcurrencyStamp,
                        e.RequiredApprovals,
                        e.SoakMinutes,
                        pendingByEnvironment.GetValueOrDefault(e.Id)
                    )
                    {
                        Readiness = evidence.GetValueOrDefault(e.Id),
                        Evidence = approving.GetValueOrDefault(e.Id),
                        Window = windowStates.GetValueOrDefault(e.Id) is { Windowed: true } window ? window : null,
                        Dispatch = dispatches.GetValueOrDefault(e.Id),
                    })
                    .ToList()
            )
            {
                TimeZone = Metrics.TeamTime.Zone(s.TimeZoneId),
            })
            .ToList();

        // How builds reach the stage before production, per service, over 30 days: the first step of the maturity
        // scale.
        var since = now.AddDays(-30);
        var preProductionIds = environments
            .GroupBy(e => e.ServiceId)
            .Select(g =>
                g.FirstOrDefault(e => e.IsProduction) is { } production
                    ? PipelineOrder.EnvironmentBefore(g, production.Order, e => e.Order)?.Id
                    : null
            )
            .Where(id => id is not null)
            .Select(id => id!.Value)
            .ToList();
        var shares = (
            await db
                .Deployments.AsNoTracking()
                .Where(d =>
                    preProductionIds.Contains(d.EnvironmentId)
                    && d.FinishedAt >= since
                    && d.Kind == DeploymentKind.Normal
                )
                .GroupBy(d => d.ServiceId)
                .Select(g => new
                {
                    ServiceId = g.Key,
                    All = g.Count(),
                    Automatic = g.Count(d => d.Trigger == DeploymentTrigger.Automatic),
                })
                .ToListAsync(cancellationToken)
        ).ToDictionary(x => x.ServiceId, x => (x.Automatic, x.All));
        result = result
            .Select(s => s with { Maturity = Maturity.Assess(s.Environments, shares.GetValueOrDefault(s.Id)) })
            .ToList();

        // Each audit subject's place on the page and its team's zone.
        var places = environments.ToDictionary(
            e => $"environment/{e.Id}",
            e =>
            {
                var service = result.First(s => s.Id == e.ServiceId);
                return (Where: $"{service.Name} · {e.Name}", service.TimeZone);
            }
        );
        var subjects = places.Keys.ToList();
        var recent = await db
            .AuditEntries.AsNoTracking()
            .Where(a => a.Action.StartsWith("promotion.") && subjects.Contains(a.Subject))
            .OrderByDescending(a => a.At)
            .ThenByDescending(a => a.Id)
            .Take(15)
            .Select(a => new
            {
                a.At,
                a.Actor,
                a.Action,
                a.Subject,
                a.Before,
                a.After,
                a.Reason,
            })
            .ToListAsync(cancellationToken);
        return new PipelinesView(
            result,
            recent
                .Select(a => new RecentChange(
                    a.At,
                    a.Actor,
                    a.Action,
                    places[a.Subject].Where,
                    a.Before,
                    a.After,
                    a.Reason
                )
                {
                    TimeZone = places[a.Subject].TimeZone,
                })
                .ToList()
        );
    }

    private static async Task<Dictionary<int, LastDispatch>> LastDispatchesAsync(
        ReleaseBoardDbContext db,
        List<int> environmentIds,
        CancellationToken cancellationToken
    )
    {
        var latest = await db
            .OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == OutboxKind.Dispatch && environmentIds.Contains(m.EnvironmentId!.Value))
            .GroupBy(m => m.EnvironmentId!.Value)
            .Select(g => g.OrderByDescending(m => m.Id).First())
            .ToListAsync(cancellationToken);
        // One read for every card's "deployment reported", not one per environment: the page re-reads on each change.
        var dispatchedIds = latest.Select(m => m.EnvironmentId!.Value).ToList();
        var versions = latest.Select(m => m.Version).Distinct().ToList();
        var deployed = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                dispatchedIds.Contains(d.EnvironmentId)
                && versions.Contains(d.Version)
                && d.Outcome == DeploymentOutcome.Succeeded
            )
            .GroupBy(d => new { d.EnvironmentId, d.Version })
            .Select(g => new
            {
                g.Key.EnvironmentId,
                g.Key.Version,
                At = g.Min(d => d.FinishedAt),
            })
            .ToListAsync(cancellationToken);
        var result = latest.ToDictionary(
            m => m.EnvironmentId!.Value,
            m => new LastDispatch(
                m.Version!,
                m.State,
                m.CreatedAt,
                m.FinishedAt,
                m.LastError,
                deployed.FirstOrDefault(d => d.EnvironmentId == m.EnvironmentId && d.Version == m.Version)?.At
            )
        );
        return result;
    }
}
