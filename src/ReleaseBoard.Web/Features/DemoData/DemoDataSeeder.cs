using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.DemoData;

public sealed record DemoDataSummary(int Teams, int Deployments, int Incidents, int Catches);

/// <summary>Seeds the labelled demo dataset into an empty database once, and removes it on request.</summary>
public sealed class DemoDataSeeder(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    IOptions<DemoDataOptions> options,
    ReleaseBoard.Web.Api.ServiceResolver resolver,
    ILogger<DemoDataSeeder> logger
)
{
    /// <summary>
    /// Set when demo data was seeded; it stays after removal so a restart does not bring the demo back.
    /// </summary>
    public const string SeededFlag = "demo-data.seeded";

    public async Task SeedIfEmptyAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Value.SeedOnEmptyDatabase)
            return;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (
            await db.Teams.AnyAsync(cancellationToken)
            || await db.SystemFlags.AnyAsync(f => f.Name == SeededFlag, cancellationToken)
        )
            return;

        var now = clock.GetUtcNow().UtcDateTime;
        var generator = new DemoDataGenerator();
        var teams = generator.Generate(now);
        ShowEveryPromotionState(teams, generator, now);

        // Thousands of new rows and no updates: change detection would only cost time here.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Teams.AddRange(teams);
        db.Deployments.AddRange(generator.DemoDeployments);
        db.Incidents.AddRange(generator.DemoIncidents);
        db.Catches.AddRange(generator.DemoCatches);
        db.SystemFlags.Add(
            new SystemFlag
            {
                Name = SeededFlag,
                Value = "true",
                UpdatedAt = now,
            }
        );
        await db.SaveChangesAsync(cancellationToken);

        db.AuditEntries.AddRange(
            teams
                .SelectMany(t => t.Services)
                .SelectMany(s => s.Environments)
                .Where(e => e.PromotionMode != PromotionMode.Manual && e.IsProduction)
                .Select(e => new AuditEntry
                {
                    At = e.PromotionModeChangedAt,
                    ActorKind = e.PromotionModeChangedBy == "system" ? AuditActorKind.System : AuditActorKind.User,
                    Actor = e.PromotionModeChangedBy!,
                    Action = "environment.mode-changed",
                    Subject = $"environment/{e.Id}",
                    Before =
                        e.PromotionMode == PromotionMode.Paused
                            ? nameof(PromotionMode.Continuous)
                            : nameof(PromotionMode.Manual),
                    After = e.PromotionMode.ToString(),
                    Reason = "Demo data",
                    TeamId = e.Service.Team.Id,
                })
        );
        await db.SaveChangesAsync(cancellationToken);

        logger.LogInformation(
            "Seeded demo data: {Teams} teams, {Deployments} deployments, {Incidents} incidents, {Catches} catches.",
            teams.Count,
            generator.DemoDeployments.Count,
            generator.DemoIncidents.Count,
            generator.DemoCatches.Count
        );
    }

    /// <summary>
    /// One production environment Continuous, one Paused by an open incident, the rest Manual: every state on screen.
    /// </summary>
    private static void ShowEveryPromotionState(IReadOnlyList<Team> teams, DemoDataGenerator generator, DateTime now)
    {
        var payments = teams.Single(t => t.Slug == "payments").Services.Single(s => s.Slug == "payments-api");
        var continuous = payments.Environments.Single(e => e.IsProduction);
        continuous.PromotionMode = PromotionMode.Continuous;
        continuous.PromotionModeChangedAt = now.AddDays(-41);
        continuous.PromotionModeChangedBy = "Ana (demo)";

        var search = teams.Single(t => t.Slug == "search").Services.Single(s => s.Slug == "search-api");
        var incidentStart = now.AddMinutes(-47);
        generator.DemoIncidents.Add(
            new Incident
            {
                Service = search,
                Severity = 2,
                Title = "Elevated 5xx on /query",
                ImpactStartedAt = incidentStart,
                DetectedAt = incidentStart.AddMinutes(3),
                Source = "demo",
                ReceivedAt = incidentStart.AddMinutes(3),
            }
        );
        var paused = search.Environments.Single(e => e.IsProduction);
        paused.PromotionMode = PromotionMode.Paused;
        paused.PromotionModeChangedAt = incidentStart.AddMinutes(3);
        paused.PromotionModeChangedBy = "system";
    }

    public async Task<DemoDataSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return new DemoDataSummary(
            await db.Teams.CountAsync(t => t.IsDemo, cancellationToken),
            await db.Deployments.CountAsync(d => d.Service.Team.IsDemo, cancellationToken),
            await db.Incidents.CountAsync(i => i.Service.Team.IsDemo, cancellationToken),
            await db.Catches.CountAsync(c => c.Service.Team.IsDemo, cancellationToken)
        );
    }

    /// <summary>
    /// Deletes every demo team and all that hangs off it, in one transaction; real teams are untouched.
    /// </summary>
    public async Task RemoveAsync(AuditActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var demoTeamIds = db.Teams.Where(t => t.IsDemo).Select(t => t.Id);
            await db
                .AuditEntries.Where(a => a.TeamId != null && demoTeamIds.Contains(a.TeamId.Value))
                .ExecuteDeleteAsync(cancellationToken);
            await db
                .WebhookSecrets.Where(w =>
                    (w.Team != null && w.Team.IsDemo) || (w.Service != null && w.Service.Team.IsDemo)
                )
                .ExecuteDeleteAsync(cancellationToken);
            await db.Catches.Where(c => c.Service.Team.IsDemo).ExecuteDeleteAsync(cancellationToken);
            // Incidents and deployments name each other (cause, fix): the fixes go first.
            await db
                .Deployments.Where(d => d.FixesIncidentId != null && d.Service.Team.IsDemo)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.FixesIncidentId, (long?)null), cancellationToken);
            await db.Incidents.Where(i => i.Service.Team.IsDemo).ExecuteDeleteAsync(cancellationToken);
            await db.Deployments.Where(d => d.Service.Team.IsDemo).ExecuteDeleteAsync(cancellationToken);
            await db.Environments.Where(e => e.Service.Team.IsDemo).ExecuteDeleteAsync(cancellationToken);
            await db.Services.Where(s => s.Team.IsDemo).ExecuteDeleteAsync(cancellationToken);
            await db.Teams.Where(t => t.IsDemo).ExecuteDeleteAsync(cancellationToken);
            db.AuditEntries.Add(
                new AuditEntry
                {
                    At = clock.GetUtcNow().UtcDateTime,
                    ActorKind = actor.Kind,
                    Actor = actor.Name,
                    ActorId = actor.Id,
                    Action = "demo-data.removed",
                    Subject = "demo-data",
                }
            );
            await Access.AccessRevocation.MarkAsync(db, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        resolver.Invalidate();
        logger.LogInformation("Demo data removed by {Actor}.", actor.Name);
    }
}
