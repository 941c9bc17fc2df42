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

    public static string KeyOf(int environmentId, string version) => $"dispatch/{environmentId}/{version}";

    /// <summary>Scans once; returns how many dispatches it queued.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var targets = await db
            .PromotionActions.AsNoTracking()
            .Where(a => a.Environment.PromotionMode == PromotionMode.Continuous)
            .Select(a => new
            {
                a.EnvironmentId,
                a.Environment.ServiceId,
                a.Environment.Order,
                Environment = a.Environment.Name,
                Service = a.Environment.Service.Slug,
                Team = a.Environment.Service.Team.Slug,
                a.Environment.Service.TeamId,
                a.Environment.SoakMinutes,
            })
            .ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var target in targets)
        {
            var previous = await db
                .Environments.AsNoTracking()
                .EnvironmentsBefore(target.ServiceId, target.Order)
                .Select(e => new { e.Id, e.Name })
                .FirstOrDefaultAsync(cancellationToken);
            if (previous is null)
                continue;
            // Only what is newer than the version last promoted here: an older one would be a step back.
            var lastHere = await db
                .Deployments.AsNoTracking()
                .Where(d =>
                    d.EnvironmentId == target.EnvironmentId
                    && d.Outcome == DeploymentOutcome.Succeeded
                    && d.Kind == DeploymentKind.Normal
                )
                .MaxAsync(d => (DateTime?)d.StartedAt, cancellationToken);
            var passed = await db
                .Deployments.AsNoTracking()
                .Where(d =>
                    d.EnvironmentId == previous.Id
                    && d.Outcome == DeploymentOutcome.Succeeded
                    && d.Kind == DeploymentKind.Normal
                    && (lastHere == null || d.FinishedAt > lastHere)
                )
                .OrderByDescending(d => d.FinishedAt)
                .Take(Candidates)
                .Select(d => new { d.Version, d.CommitSha })
                .ToListAsync(cancellationToken);
            foreach (var candidate in passed.DistinctBy(p => p.Version))
            {
                var key = KeyOf(target.EnvironmentId, candidate.Version);
                if (await db.OutboxMessages.AnyAsync(m => m.Key == key, cancellationToken))
                    break; // this one (or a newer one) was decided already
                if (
                    await db.Deployments.AnyAsync(
                        d => d.EnvironmentId == target.EnvironmentId && d.Version == candidate.Version,
                        cancellationToken
                    )
                )
                    break; // on its way there or there already, by other means
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
                        ? new Uri(publicBase, $"/pipelines?team={Uri.EscapeDataString(target.Team)}").ToString()
                        : null,
                    key,
                    now
                );
                if (await EnqueueAsync(target.EnvironmentId, target.TeamId, payload, cancellationToken))
                    queued++;
                break;
            }
        }
        return queued;
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

    private async Task<bool> EnqueueAsync(
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
            new AuditEntry
            {
                At = payload.DecidedAt,
                ActorKind = AuditActor.System.Kind,
                Actor = AuditActor.System.Name,
                ActorId = AuditActor.System.Id,
                Action = "promotion.dispatch-queued",
                Subject = $"environment/{environmentId}",
                After =
                    $"{payload.Service} {payload.Version} → {payload.Environment}: {string.Join("; ", payload.Why)}",
                TeamId = teamId,
            }
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance decided the same dispatch at the same moment; its row (and audit entry) stand.
            logger.LogDebug("Dispatch {Key} was queued by another instance.", payload.IdempotencyKey);
            return false;
        }
    }
}
