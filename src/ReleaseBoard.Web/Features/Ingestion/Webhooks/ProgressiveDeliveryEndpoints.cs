using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// The failures progressive-delivery tools prevent, as they report them: Flagger's event webhook, Argo Rollouts'
/// notifications (with the template in the README) and a generic catch webhook for any test or analysis system.
/// </summary>
public static class ProgressiveDeliveryEndpoints
{
    public const string FlaggerSource = "flagger";
    public const string ArgoSource = "argo-rollouts";

    /// <summary>Argo Rollouts' notification triggers this receiver acts on; the others are acknowledged.</summary>
    private static readonly Dictionary<string, string> ArgoEvents = new(StringComparer.Ordinal)
    {
        ["rollout-aborted"] = "was aborted",
        ["analysis-run-failed"] = "failed its analysis",
    };

    /// <summary>What the receivers of failed analyses use.</summary>
    public sealed record Services(
        WebhookSecrets Secrets,
        IDbContextFactory<ReleaseBoardDbContext> DbFactory,
        CatchIngestion Catches,
        IncidentIngestion Incidents,
        TimeProvider Clock,
        IEnumerable<ICanaryRollbackCause> RollbackCauses
    );

    public static async Task<IResult> FlaggerEventAsync(
        HttpRequest request,
        [AsParameters] Services services,
        CancellationToken ct
    )
    {
        var (call, refusal) = await FlaggerCall.ReadAsync(request, services.Secrets, ct);
        if (call is null)
            return refusal!;
        using var _ = call;
        var (root, name, space, signers) = (call.Root, call.Name, call.Namespace, call.Signers);
        var (secrets, dbFactory, catches, incidents, clock, rollbackCauses) = services;
        var phase = root.Text("phase");
        if (phase is null)
            return WebhookEndpoints.Invalid("body", "A Flagger event has name, namespace and phase.");
        if (phase != "Failed")
            return WebhookEndpoints.Ignored($"Phase {phase}: only a failed canary is recorded.");
        if (ProgressiveDelivery.SeverityOf(root.Text("metadata", "severity")) is not { } severity)
            return WebhookEndpoints.Invalid("metadata.severity", ProgressiveDelivery.SeverityRule);
        var environment = root.Text("metadata", "environment");
        var (target, problem) = await ProgressiveDelivery.FindAsync(dbFactory, name, space, environment, signers, ct);
        if (target is null)
            return problem!;

        var now = clock.GetUtcNow();
        var at =
            ProgressiveDelivery.UnixMilliseconds(root.Text("metadata", "timestamp")) is { } stamp && stamp <= now
                ? stamp
                : now;
        foreach (var cause in rollbackCauses)
            if (await cause.RolledBackForAsync(target.Service.Id, at.UtcDateTime, ct) is { } incident)
                return WebhookEndpoints.Ignored(
                    $"ReleaseBoard had this canary rolled back while {incident} was open: the incident, not a catch."
                );
        // One failed revision (Flagger's checksum of the spec) is one event, however often Flagger repeats it.
        var revision = root.Text("checksum") is { Length: > 0 } checksum ? checksum : at.ToUnixTimeSeconds().ToString();
        var failure = new FailedAnalysis(
            "Flagger",
            FlaggerSource,
            Clip($"{space}/{name}/{revision}", EventRules.ExternalIdMaxLength)!,
            Clip($"Canary {name} failed its analysis in {space}", EventRules.TitleMaxLength)!,
            Clip(root.Text("metadata", "eventMessage"), EventRules.DescriptionMaxLength),
            severity,
            at,
            root.Text("metadata", "version"),
            root.Text("metadata", "link")
        );
        return await ProgressiveDelivery.RecordFailedAnalysisAsync(target, failure, secrets, catches, incidents, ct);
    }

    public static async Task<IResult> ArgoRolloutsAsync(
        HttpRequest request,
        [AsParameters] Services services,
        CancellationToken ct
    )
    {
        var (secrets, dbFactory, catches, incidents, clock, _) = services;
        if (await ApiJson.ReadCappedAsync(request, WebhookEndpoints.MaxWebhookBytes, ct) is not { } body)
            return WebhookEndpoints.TooLarge();
        var active = await secrets.SignersAsync(WebhookTool.ArgoRollouts, ct);
        if (active.Count == 0)
            return WebhookEndpoints.NotConfigured(WebhookTool.ArgoRollouts);
        var signers = ProgressiveDelivery.Matching(active, ProgressiveDelivery.BearerToken(request));
        if (signers.Count == 0)
            return WebhookEndpoints.BadToken("Authorization: Bearer (the Argo Rollouts webhook secret)");
        using var document = WebhookEndpoints.TryParse(body);
        if (document is null)
            return WebhookEndpoints.Invalid("body", "The body is not valid JSON.");
        var root = document.RootElement;

        var (name, space, trigger) = (root.Text("rollout"), root.Text("namespace"), root.Text("event"));
        if (name is null || space is null || trigger is null)
            return WebhookEndpoints.Invalid(
                "body",
                "The ReleaseBoard template sends event, rollout and namespace (see the README)."
            );
        if (!ArgoEvents.TryGetValue(trigger, out var what))
            return WebhookEndpoints.Ignored($"Event {trigger} is not recorded.");
        if (ProgressiveDelivery.SeverityOf(root.Text("severity")) is not { } severity)
            return WebhookEndpoints.Invalid("severity", ProgressiveDelivery.SeverityRule);
        var (target, problem) = await ProgressiveDelivery.FindAsync(
            dbFactory,
            name,
            space,
            root.Text("environment"),
            signers,
            ct
        );
        if (target is null)
            return problem!;

        // An aborted rollout and its failed analysis run are one failure of one revision.
        var revision = root.Text("revision") is { Length: > 0 } r ? r : "unknown";
        var failure = new FailedAnalysis(
            "Argo Rollouts",
            ArgoSource,
            Clip($"{space}/{name}/{revision}", EventRules.ExternalIdMaxLength)!,
            Clip($"Rollout {name} {what} in {space} (revision {revision})", EventRules.TitleMaxLength)!,
            Clip(root.Text("message"), EventRules.DescriptionMaxLength),
            severity,
            clock.GetUtcNow(),
            root.Text("version") is { Length: > 0 } version ? version : null,
            root.Text("url") is { Length: > 0 } url ? url : null
        );
        return await ProgressiveDelivery.RecordFailedAnalysisAsync(target, failure, secrets, catches, incidents, ct);
    }

    /// <summary>
    /// A catch from any system that can POST JSON: signed like GitHub's (X-ReleaseBoard-Signature-256: sha256=HMAC of
    /// the body) or with the secret as a bearer token. reportedBy defaults to the tool: a pipeline has no person.
    /// </summary>
    public static async Task<IResult> CatchAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CatchIngestion catches,
        CancellationToken ct
    )
    {
        if (await ApiJson.ReadCappedAsync(request, WebhookEndpoints.MaxWebhookBytes, ct) is not { } body)
            return WebhookEndpoints.TooLarge();
        var all = await secrets.SignersAsync(WebhookTool.Catch, ct);
        if (all.Count == 0)
            return WebhookEndpoints.NotConfigured(WebhookTool.Catch);
        var signature = request.Headers["X-ReleaseBoard-Signature-256"].ToString();
        var signers =
            signature.Length > 0
                ? all.Where(s => WebhookSignature.IsValidGitHub(signature, s.Secret, body)).ToList()
                : ProgressiveDelivery.Matching(all, ProgressiveDelivery.BearerToken(request));
        if (signers.Count == 0)
            return WebhookEndpoints.BadToken("X-ReleaseBoard-Signature-256 or Authorization: Bearer");
        CatchHook? hook;
        try
        {
            hook = JsonSerializer.Deserialize<CatchHook>(body, ApiJson.Options);
        }
        catch (JsonException e)
        {
            return WebhookEndpoints.Invalid(e.Path is { Length: > 2 } path ? path[2..] : "body", "Not readable here.");
        }
        if (hook is null)
            return WebhookEndpoints.Invalid("body", "The body is a JSON object.");
        if (string.IsNullOrWhiteSpace(hook.Service))
            return WebhookEndpoints.Invalid(EventFields.Service, "Name the service (slug, or team/service).");
        var tool = string.IsNullOrWhiteSpace(hook.Tool) ? "catch webhook" : hook.Tool.Trim();
        if (tool.Length > EventRules.SourceMaxLength)
            return WebhookEndpoints.Invalid("tool", $"At most {EventRules.SourceMaxLength} characters.");

        var parts = hook.Service.Trim().Split('/', 2);
        var (team, slug) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
        // Only the services the secret speaks for are candidates: another team's services are never named or hinted.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var owned = (
            await db
                .Services.Where(s => s.Slug == slug && (team == null || s.Team.Slug == team))
                .Select(s => new ResolvedService(s.Id, s.TeamId, s.Team.Slug, s.Slug))
                .Take(200)
                .ToListAsync(ct)
        )
            .Select(s => (Service: s, Signer: signers.FirstOrDefault(x => x.SpeaksForService(s))))
            .Where(s => s.Signer is not null)
            .ToList();
        if (owned.Count != 1)
            return TypedResults.Problem(
                owned.Count == 0
                    ? $"No service \"{hook.Service}\" that this secret speaks for ({signers[0].SpeaksFor})."
                    : $"\"{hook.Service}\" names several services this secret speaks for: give it as team/service.",
                statusCode: owned.Count == 0 ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict
            );
        var (service, signer) = (owned[0].Service, owned[0].Signer!);

        var outcome = await catches.IngestForServiceAsync(
            service,
            new CatchRequest(
                service.Slug,
                hook.Environment,
                hook.Severity,
                hook.Title,
                hook.Description,
                hook.Version,
                hook.CaughtAt,
                string.IsNullOrWhiteSpace(hook.ReportedBy) ? tool : hook.ReportedBy,
                tool.ToLowerInvariant().Replace(' ', '-'),
                hook.ExternalId,
                hook.Url
            ),
            new Infrastructure.AuditActor(
                AuditActorKind.System,
                $"{tool} (catch webhook)",
                $"webhook-secret/{signer.Id}"
            ),
            ct
        );
        return await WebhookEndpoints.AnsweredAsync(outcome, signer.Id, secrets, ct);
    }

    private static string? Clip(string? text, int max) => text is { Length: var n } && n > max ? text[..max] : text;
}

/// <summary>The generic catch webhook's body: a catch's fields in the API, plus the tool and a link.</summary>
public sealed record CatchHook(
    string? Service,
    string? Environment,
    int? Severity,
    string? Title,
    string? Description,
    string? Version,
    DateTimeOffset? CaughtAt,
    string? ReportedBy,
    string? Tool,
    string? Url,
    string? ExternalId
);

/// <summary>
/// A call from Flagger (an event, confirm-promotion, rollback), read and authenticated: Flagger sends no headers of
/// its own, so the secret travels in the webhook's metadata.token. Disposing it frees the parsed body.
/// </summary>
public sealed class FlaggerCall : IDisposable
{
    private readonly JsonDocument _document;

    private FlaggerCall(JsonDocument document, string name, string space, IReadOnlyList<WebhookSigner> signers) =>
        (_document, Name, Namespace, Signers) = (document, name, space, signers);

    public JsonElement Root => _document.RootElement;
    public string Name { get; }
    public string Namespace { get; }

    /// <summary>The active Flagger secrets metadata.token matches (at least one).</summary>
    public IReadOnlyList<WebhookSigner> Signers { get; }

    public static async Task<(FlaggerCall? Call, IResult? Refusal)> ReadAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        CancellationToken ct
    )
    {
        if (await ApiJson.ReadCappedAsync(request, WebhookEndpoints.MaxWebhookBytes, ct) is not { } body)
            return (null, WebhookEndpoints.TooLarge());
        var document = WebhookEndpoints.TryParse(body);
        if (document is null)
            return (null, WebhookEndpoints.Invalid("body", "The body is not valid JSON."));
        var root = document.RootElement;
        IReadOnlyList<WebhookSigner> active;
        try
        {
            active = await secrets.SignersAsync(WebhookTool.Flagger, ct);
        }
        catch
        {
            document.Dispose();
            throw;
        }
        var signers = ProgressiveDelivery.Matching(active, root.Text("metadata", "token"));
        var (name, space) = (root.Text("name"), root.Text("namespace"));
        IResult? refusal =
            active.Count == 0 ? WebhookEndpoints.NotConfigured(WebhookTool.Flagger)
            : signers.Count == 0 ? WebhookEndpoints.BadToken("metadata.token (the Flagger webhook secret)")
            : name is null || space is null
                ? WebhookEndpoints.Invalid("body", "A Flagger webhook call has name and namespace.")
            : null;
        if (refusal is not null)
        {
            document.Dispose();
            return (null, refusal);
        }
        return (new FlaggerCall(document, name!, space!, signers), null);
    }

    public void Dispose() => _document.Dispose();
}
