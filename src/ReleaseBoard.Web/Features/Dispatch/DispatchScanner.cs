using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>The JSON a receiver gets: what to promote, and why it may.</summary>
public sealed record DispatchPayload(
    string Event,
    string Team,
    string Service,
    string Environment,
    string Version,
    string? Commit,
    string From,
    DateTime SoakedSince,
    int SoakMinutes,
    IReadOnlyList<string> Why,
    string? Evidence,
    string IdempotencyKey,
    DateTime DecidedAt
);

/// <summary>
/// Finds versions that became eligible for a Continuous environment with a promotion target, and writes one outbox
/// message per environment and version with its audit entry, in one transaction. The unique key keeps it once when
/// several instances decide at the same moment; time-based eligibility (a soak ending, a window opening) is seen on
/// the next scan.
/// </summary>
public sealed class DispatchScanner(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    PromotionGate gate,
    TimeProvider clock,
    IOptions<TransportOptions> transport,
    ILogger<DispatchScanner> logger
)
{
    /// <summary>How many versions that passed the environment before are looked at, newest first.</summary>
    private const int Candidates = 5;

    /// <summary>The version escaped: it travels in a header, where a line break must not end up.</summary>
    public static string KeyOf(int environmentId, string version) =>
        $"dispatch/{environmentId}/{Uri.EscapeDataString(version)}";

    /// <summary>Scans once; returns how many dispatches it queued.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var targets = await db
            .PromotionActions.AsNoTracking()
            .Where(a => a.Environment.PromotionMode == PromotionMode.Continuous)
            .Select(a => new Target(
                a.EnvironmentId,
                a.Environment.ServiceId,
                a.Environment.Order,
                a.Environment.Name,
                a.Environment.Service.Slug,
                a.Environment.Service.Team.Slug,
                a.Environment.Service.TeamId,
                a.Environment.SoakMinutes
            ))
            .ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var target in targets)
        {
            // One environment's trouble (a rule that no longer parses, say) must not stop the others.
            try
            {
                if (await ScanTargetAsync(db, target, cancellationToken))
                    queued++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(
                    ex,
                    "Could not look for a dispatch to environment {Environment}.",
                    target.EnvironmentId
                );
            }
        }
        return queued;
    }

    internal sealed record Target(
        int EnvironmentId,
        int ServiceId,
        int Order,
        string Environment,
        string Service,
        string Team,
        int TeamId,
        int SoakMinutes
    );

    private async Task<bool> ScanTargetAsync(
        ReleaseBoardDbContext db,
        Target target,
        CancellationToken cancellationToken
    )
    {
        var previous = await db
            .Environments.AsNoTracking()
            .EnvironmentsBefore(target.ServiceId, target.Order)
            .Select(e => new { e.Id, e.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (previous is null)
            return false;
        // Newer means "passed the environment before after what is here now, or on its way here, passed it": so a
        // version that passed while the last one soaked is still promoted, and an older one never is.
        var current = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                d.EnvironmentId == target.EnvironmentId
                && d.Outcome == DeploymentOutcome.Succeeded
                && d.Kind == DeploymentKind.Normal
            )
            .OrderByDescending(d => d.StartedAt)
            .Select(d => d.Version)
            .FirstOrDefaultAsync(cancellationToken);
        var dispatched = await db
            .OutboxMessages.AsNoTracking()
            .Where(m =>
                m.Kind == OutboxKind.Dispatch
                && m.EnvironmentId == target.EnvironmentId
                && m.State != OutboxState.Cancelled
            )
            .OrderByDescending(m => m.Id)
            .Select(m => m.Version)
            .FirstOrDefaultAsync(cancellationToken);
        var versions = new[] { current, dispatched }.Where(v => v is not null).ToList();
        var passedAfter = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                d.EnvironmentId == previous.Id
                && d.Outcome == DeploymentOutcome.Succeeded
                && d.Kind == DeploymentKind.Normal
                && versions.Contains(d.Version)
            )
            .MaxAsync(d => d.FinishedAt, cancellationToken);
        var passed = await db
            .Deployments.AsNoTracking()
            .Where(d =>
                d.EnvironmentId == previous.Id
                && d.Outcome == DeploymentOutcome.Succeeded
                && d.Kind == DeploymentKind.Normal
                && (passedAfter == null || d.FinishedAt > passedAfter)
            )
            .OrderByDescending(d => d.FinishedAt)
            .Take(Candidates)
            .Select(d => new { d.Version, d.CommitSha })
            .ToListAsync(cancellationToken);
        foreach (var candidate in passed.DistinctBy(p => p.Version))
        {
            var key = KeyOf(target.EnvironmentId, candidate.Version);
            if (await db.OutboxMessages.AnyAsync(m => m.Key == key, cancellationToken))
                return false; // decided already; a cancelled one gave its key up
            if (
                await db.Deployments.AnyAsync(
                    d => d.EnvironmentId == target.EnvironmentId && d.Version == candidate.Version,
                    cancellationToken
                )
            )
                return false; // there already, or on its way by other means
            var answer = await gate.AskAsync(
                target.ServiceId,
                target.EnvironmentId,
                candidate.Version,
                cancellationToken
            );
            if (!answer.MayAutoPromote)
                continue;
            var now = clock.GetUtcNow().UtcDateTime;
            var payload = new DispatchPayload(
                "promotion.dispatch",
                target.Team,
                target.Service,
                target.Environment,
                candidate.Version,
                candidate.CommitSha,
                previous.Name,
                answer.Soak!.SoakCountsFrom!.Value,
                target.SoakMinutes,
                Why(answer, previous.Name),
                transport.Value.PublicBase is { } publicBase
                    ? new Uri(publicBase, $"pipelines?team={Uri.EscapeDataString(target.Team)}").ToString()
                    : null,
                key,
                now
            );
            return await EnqueueAsync(target.EnvironmentId, target.TeamId, payload, cancellationToken);
        }
        return false;
    }

    private static List<string> Why(GateAnswer answer, string previous) =>
        [
            "the environment is Continuous",
            $"soaked in {previous} since {answer.Soak!.SoakCountsFrom:yyyy-MM-dd HH:mm} UTC "
                + $"({answer.SoakMinutes} min asked)",
            "no catch names the version",
            "no open incident of pausing severity",
            answer.Window.Windowed ? "its deployment window is open" : "no deployment window restricts it",
        ];

    internal async Task<bool> EnqueueAsync(
        int environmentId,
        int teamId,
        DispatchPayload payload,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.OutboxMessages.Add(
            new OutboxMessage
            {
                Kind = OutboxKind.Dispatch,
                Key = payload.IdempotencyKey,
                EnvironmentId = environmentId,
                Version = payload.Version,
                Payload = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web),
                State = OutboxState.Pending,
                NextAttemptAt = payload.DecidedAt,
                CreatedAt = payload.DecidedAt,
            }
        );
        db.AuditEntries.Add(
            AuditActor.System.Entry(
                payload.DecidedAt,
                "promotion.dispatch-queued",
                $"environment/{environmentId}",
                teamId,
                after: $"{payload.Service} {payload.Version} → {payload.Environment}: {string.Join("; ", payload.Why)}"
            )
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            if (!await KeyTakenAsync(payload.IdempotencyKey, cancellationToken))
                throw;
            // Another instance decided the same dispatch at the same moment; its row (and audit entry) stand.
            logger.LogDebug("Dispatch {Key} was queued by another instance.", payload.IdempotencyKey);
            return false;
        }
    }

    private async Task<bool> KeyTakenAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboxMessages.AnyAsync(m => m.Key == key, cancellationToken);
    }
}
