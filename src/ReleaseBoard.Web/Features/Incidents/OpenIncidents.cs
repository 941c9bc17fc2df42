using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Incidents;

public sealed record OpenIncident(long Id, string Service, int Severity, string Title, DateTime Since);

/// <summary>What the incident form reads back: a team's open incidents, and what recording one paused.</summary>
public sealed class OpenIncidents(IDbContextFactory<ReleaseBoardDbContext> dbFactory)
{
    public async Task<IReadOnlyList<OpenIncident>> OfTeamAsync(
        int teamId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .Incidents.AsNoTracking()
            .Where(i => i.Service.TeamId == teamId && i.ResolvedAt == null)
            .OrderBy(i => i.ImpactStartedAt)
            .Select(i => new OpenIncident(i.Id, i.Service.Name, i.Severity, i.Title, i.ImpactStartedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The service's environments the immune system paused since <paramref name="sinceUtc"/>.</summary>
    public async Task<IReadOnlyList<string>> PausedSinceAsync(
        int serviceId,
        DateTime sinceUtc,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .Environments.AsNoTracking()
            .Where(e =>
                e.ServiceId == serviceId
                && e.PromotionMode == PromotionMode.Paused
                && e.PromotionModeChangedBy == AuditActor.System.Name
                && e.PromotionModeChangedAt >= sinceUtc
            )
            .OrderBy(e => e.Order)
            .Select(e => e.Name)
            .ToListAsync(cancellationToken);
    }
}
