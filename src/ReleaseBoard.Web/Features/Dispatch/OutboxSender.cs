using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>
/// Another kind of outbox message (notifications): how it is sent, and which of its ends the audit trail records.
/// </summary>
public interface IOutboxChannel
{
    OutboxKind Kind { get; }

    Task<OutboxDelivery> PrepareAsync(ReleaseBoardDbContext db, OutboxMessage message, CancellationToken ct);

    /// <summary>The audit action of a message that ended so; null: not audited (a notification sent).</summary>
    string? AuditAction(OutboxState state);
}

/// <summary>The request to send, or why the message ends unsent; audited under <paramref name="Subject"/>.</summary>
public sealed record OutboxDelivery(
    HttpRequestMessage? Request,
    string Subject,
    int? TeamId,
    OutboxState EndsAs = OutboxState.Cancelled,
    string? WhyNot = null
);

/// <summary>
/// Sends the outbox at least once: each message under a lease (so one instance sends it), in order per environment
/// (dispatches) or per target (notifications), with its idempotency key; a dispatch is asked of the gate again just
/// before, so a pause, a catch or a freeze that came meanwhile cancels it. Timeouts and 5xx retry with a doubling
/// backoff; a 4xx fails it.
/// </summary>
public sealed class OutboxSender(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    PromotionGate gate,
    DispatchTargets targets,
    ReceiverClient receiver,
    TimeProvider clock,
    IOptionsMonitor<DispatchOptions> options,
    ILogger<OutboxSender> logger,
    IEnumerable<IOutboxChannel> channels
)
{
    public const string DeliveryHeader = "X-ReleaseBoard-Delivery";
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>This process, as it holds leases.</summary>
    public string Instance { get; } = $"{Guid.NewGuid():N}/{Environment.ProcessId}";

    /// <summary>Sends what is due once; returns how many messages it finished (sent, failed or cancelled).</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<long> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // The oldest unfinished message of each stream only: dispatches per environment, notifications per target.
            due = await db
                .OutboxMessages.AsNoTracking()
                .Where(m => m.State == OutboxState.Pending && m.NextAttemptAt <= now)
                .Where(m => m.LeaseUntil == null || m.LeaseUntil < now)
                .Where(m =>
                    !db.OutboxMessages.Any(o =>
                        o.State == OutboxState.Pending
                        && o.Id < m.Id
                        && o.Kind == m.Kind
                        && (
                            m.Kind == OutboxKind.Dispatch
                                ? o.EnvironmentId == m.EnvironmentId
                                : o.TargetId == m.TargetId
                        )
                    )
                )
                .OrderBy(m => m.Id)
                .Select(m => m.Id)
                .Take(20)
                .ToListAsync(cancellationToken);
        }
        var finished = 0;
        foreach (var id in due)
        {
            // Each claim reads the clock again: a lease taken late in a slow batch must not start out expired.
            if (!await ClaimAsync(id, clock.GetUtcNow().UtcDateTime, cancellationToken))
                continue;
            try
            {
                if (await SendAsync(id, cancellationToken))
                    finished++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Our lease ran out and another instance took the message over: its result stands, not ours.
                logger.LogWarning("Outbox message {Id} was taken over by another instance.", id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Outbox message {Id} could not be sent; it is tried again later.", id);
                await ReleaseAsync(id, ex.GetType().Name + ": " + ex.Message, cancellationToken);
            }
        }
        return finished;
    }

    /// <summary>Takes the lease if nobody holds it: one conditional update, so two instances never both win.</summary>
    internal async Task<bool> ClaimAsync(long id, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var until = now + options.CurrentValue.Lease;
        return await db
                .OutboxMessages.Where(m =>
                    m.Id == id && m.State == OutboxState.Pending && (m.LeaseUntil == null || m.LeaseUntil < now)
                )
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(m => m.LeaseOwner, Instance)
                            .SetProperty(m => m.LeaseUntil, until)
                            // Counted before the send: a crash during it still uses up an attempt.
                            .SetProperty(m => m.Attempts, m => m.Attempts + 1),
                    cancellationToken
                ) == 1;
    }

    /// <summary>After an unexpected failure: back off like a failed send, without holding the lease.</summary>
    private async Task ReleaseAsync(long id, string error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
        if (message.LeaseOwner != Instance)
            return;
        var now = clock.GetUtcNow().UtcDateTime;
        if (message.Attempts >= options.CurrentValue.MaxAttempts)
        {
            var delivery = new OutboxDelivery(null, Subject(message), null);
            await FinishAsync(db, message, OutboxState.DeadLettered, null, $"gave up: {error}", now, delivery);
            return;
        }
        (message.NextAttemptAt, message.LastError) = (now + Backoff(message.Attempts), StoredText.Clip(error, 1000));
        (message.LeaseOwner, message.LeaseUntil) = (null, null);
        await db.SaveChangesAsync(cancellationToken);
    }

    private TimeSpan Backoff(int attempts)
    {
        var backoff = options.CurrentValue.FirstRetry * Math.Pow(2, Math.Max(0, attempts - 1));
        return backoff > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : backoff;
    }

    private IOutboxChannel ChannelOf(OutboxKind kind) => channels.Single(c => c.Kind == kind);

    private static string Subject(OutboxMessage message) =>
        message.Kind == OutboxKind.Dispatch ? $"environment/{message.EnvironmentId}" : $"outbox/{message.Id}";

    private static string? DispatchAudit(OutboxState state) =>
        state switch
        {
            OutboxState.Sent => "promotion.dispatched",
            OutboxState.Cancelled => "promotion.dispatch-cancelled",
            _ => "promotion.dispatch-failed",
        };

    /// <summary>A dispatch: the gate is asked again, so what changed since the decision still counts.</summary>
    private async Task<OutboxDelivery> PrepareDispatchAsync(
        ReleaseBoardDbContext db,
        OutboxMessage message,
        CancellationToken cancellationToken
    )
    {
        var environment = await db
            .Environments.Where(e => e.Id == message.EnvironmentId)
            .Select(e => new
            {
                e.Id,
                e.ServiceId,
                e.Service.TeamId,
                Action = db.PromotionActions.FirstOrDefault(a => a.EnvironmentId == e.Id),
            })
            .SingleOrDefaultAsync(cancellationToken);
        var subject = Subject(message);
        if (environment?.Action is null)
            return new OutboxDelivery(null, subject, null, WhyNot: "the target was removed");
        var answer = await gate.AskAsync(environment.ServiceId, environment.Id, message.Version, cancellationToken);
        if (!answer.MayAutoPromote)
            return new OutboxDelivery(
                null,
                subject,
                environment.TeamId,
                WhyNot: string.Join(" ", answer.Reasons.Select(r => r.Message))
            );
        return Request(environment.Action, message) is { } request
            ? new OutboxDelivery(request, subject, environment.TeamId)
            : new OutboxDelivery(
                null,
                subject,
                environment.TeamId,
                OutboxState.Failed,
                "Dispatch:GitHub:Token is not set: GitHub needs a token with actions:write."
            );
    }

    private async Task<bool> SendAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
        var delivery =
            message.Kind == OutboxKind.Dispatch
                ? await PrepareDispatchAsync(db, message, cancellationToken)
                : await ChannelOf(message.Kind).PrepareAsync(db, message, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (delivery.Request is not { } request)
            return await FinishAsync(db, message, delivery.EndsAs, null, delivery.WhyNot, now, delivery);
        using var _ = request;
        request.Headers.Add(IdempotencyHeader, message.Key);
        request.Headers.Add(DeliveryHeader, message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var (status, error) = await receiver.SendAsync(request, cancellationToken);
        now = clock.GetUtcNow().UtcDateTime;
        if (status is >= 200 and < 300)
            return await FinishAsync(db, message, OutboxState.Sent, status, null, now, delivery);
        if (status is >= 300 and < 400)
            return await FinishAsync(
                db,
                message,
                OutboxState.Failed,
                status,
                $"redirected (HTTP {status}), which is not followed: give the address it redirects to",
                now,
                delivery
            );
        if (status is >= 400 and < 500 && status != 408 && status != 429)
            return await FinishAsync(db, message, OutboxState.Failed, status, $"refused: HTTP {status}", now, delivery);
        if (message.Attempts >= options.CurrentValue.MaxAttempts)
            return await FinishAsync(
                db,
                message,
                OutboxState.DeadLettered,
                status,
                $"gave up after {message.Attempts} attempts: {error ?? $"HTTP {status}"}",
                now,
                delivery
            );
        // Try again later, and let any instance do it.
        message.NextAttemptAt = now + Backoff(message.Attempts);
        (message.LastStatus, message.LastError, message.LeaseOwner, message.LeaseUntil) = (
            status,
            StoredText.Clip(error ?? $"HTTP {status}", 1000),
            null,
            null
        );
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning(
            "Outbox {Key} attempt {Attempt} failed ({Problem}); next at {Next:u}.",
            message.Key,
            message.Attempts,
            error ?? $"HTTP {status}",
            message.NextAttemptAt
        );
        return false;
    }

    /// <summary>
    /// The call that starts the promotion, as each target wants it: our signed JSON, GitHub's workflow_dispatch
    /// (REST, ref and inputs), or GitLab's pipeline trigger (form: token, ref, variables). Null: no token to call with.
    /// </summary>
    private HttpRequestMessage? Request(PromotionAction action, OutboxMessage message)
    {
        var payload = System.Text.Json.JsonSerializer.Deserialize<DispatchPayload>(
            message.Payload,
            System.Text.Json.JsonSerializerOptions.Web
        )!;
        HttpRequestMessage request;
        switch (action.Kind)
        {
            case PromotionActionKind.GitHubWorkflow:
            {
                var github = options.CurrentValue.GitHub;
                if (string.IsNullOrWhiteSpace(github.Token))
                    return null;
                var url =
                    $"{github.BaseUrl.TrimEnd('/')}/repos/{action.Repository}/actions/workflows/"
                    + $"{Uri.EscapeDataString(action.Workflow!)}/dispatches";
                request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    // Inputs are strings, and the workflow must declare each one it is given.
                    Content = JsonContent.Create(
                        new
                        {
                            @ref = action.Ref,
                            inputs = new Dictionary<string, string>
                            {
                                ["version"] = payload.Version,
                                ["environment"] = payload.Environment,
                                ["idempotency_key"] = payload.IdempotencyKey,
                            },
                        }
                    ),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", github.Token);
                request.Headers.Accept.ParseAdd("application/vnd.github+json");
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                request.Headers.UserAgent.ParseAdd("ReleaseBoard");
                break;
            }
            case PromotionActionKind.GitLabPipeline:
            {
                var url =
                    $"{options.CurrentValue.GitLab.BaseUrl.TrimEnd('/')}/api/v4/projects/"
                    + $"{Uri.EscapeDataString(action.Repository!)}/trigger/pipeline";
                request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = new FormUrlEncodedContent(
                        new Dictionary<string, string>
                        {
                            ["token"] = targets.Unprotect(action.ProtectedSecret),
                            ["ref"] = action.Ref!,
                            ["variables[RELEASEBOARD_VERSION]"] = payload.Version,
                            ["variables[RELEASEBOARD_ENVIRONMENT]"] = payload.Environment,
                            ["variables[RELEASEBOARD_SERVICE]"] = payload.Service,
                            ["variables[RELEASEBOARD_IDEMPOTENCY_KEY]"] = payload.IdempotencyKey,
                        }
                    ),
                };
                break;
            }
            default:
            {
                var body = Encoding.UTF8.GetBytes(message.Payload);
                request = new HttpRequestMessage(HttpMethod.Post, action.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json")
                {
                    CharSet = "utf-8",
                };
                request.Headers.Add(
                    DispatchSignature.Header,
                    DispatchSignature.Sign(targets.Unprotect(action.ProtectedSecret), body)
                );
                break;
            }
        }
        return request;
    }

    private async Task<bool> FinishAsync(
        ReleaseBoardDbContext db,
        OutboxMessage message,
        OutboxState state,
        int? status,
        string? why,
        DateTime now,
        OutboxDelivery delivery
    )
    {
        (message.State, message.LastStatus, message.LastError, message.FinishedAt) = (
            state,
            status,
            StoredText.Clip(why, 1000),
            now
        );
        (message.LeaseOwner, message.LeaseUntil) = (null, null);
        // A cancelled dispatch gives its key up: once the pause or the window is over, the version may go again.
        if (state == OutboxState.Cancelled)
            message.Key = StoredText.Clip(message.Key, 250) + $"#cancelled-{message.Id}";
        var audit =
            message.Kind == OutboxKind.Dispatch ? DispatchAudit(state) : ChannelOf(message.Kind).AuditAction(state);
        if (audit is { } action)
            db.AuditEntries.Add(
                AuditActor.System.Entry(
                    now,
                    action,
                    delivery.Subject,
                    delivery.TeamId,
                    after: $"{message.Version ?? message.Event}: {state}{(status is null ? "" : $" (HTTP {status})")}",
                    reason: StoredText.Clip(why, 2000)
                )
            );
        await db.SaveChangesAsync();
        return true;
    }
}
