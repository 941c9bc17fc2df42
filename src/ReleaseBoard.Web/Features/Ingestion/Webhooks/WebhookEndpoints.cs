using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// Webhooks verified the way each tool signs, onto the same idempotent ingestion as the API. A delivery speaks only
/// for its secret's owner, and one seen before changes nothing. Answers stay IResult: each tool has its own replies.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxWebhookBytes = 1024 * 1024;

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks
            .MapPost("/github", GitHubAsync)
            .AllowAnonymous() // the signature is the authentication
            .WithName("GitHubWebhook")
            .WithSummary("GitHub deployment_status events → deployments. Verified by X-Hub-Signature-256.");
        webhooks
            .MapPost("/pagerduty", PagerDutyAsync)
            .AllowAnonymous() // the signature is the authentication
            .WithName("PagerDutyWebhook")
            .WithSummary("PagerDuty v3 incident events → incidents. Verified by X-PagerDuty-Signature.");
        webhooks
            .MapPost("/alertmanager", AlertmanagerAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithName("AlertmanagerWebhook")
            .WithSummary("Prometheus Alertmanager webhook (version 4) → incidents. Authenticated by an API key.");
        webhooks
            .MapPost("/flagger", ProgressiveDeliveryEndpoints.FlaggerEventAsync)
            .AllowAnonymous() // metadata.token is the authentication
            .WithName("FlaggerEventWebhook")
            .WithSummary("Flagger event webhook: a failed canary → a catch (pre-production) or a failure.");
        webhooks
            .MapPost("/argo-rollouts", ProgressiveDeliveryEndpoints.ArgoRolloutsAsync)
            .AllowAnonymous() // the bearer token is the authentication
            .WithName("ArgoRolloutsWebhook")
            .WithSummary("Argo Rollouts notifications: aborted rollout, failed analysis → a catch or a failure.");
        webhooks
            .MapPost("/catches", ProgressiveDeliveryEndpoints.CatchAsync)
            .AllowAnonymous() // the signature or bearer token is the authentication
            .WithName("CatchWebhook")
            .WithSummary("A catch from any test or analysis system, signed with a webhook secret.");
        return api;
    }

    private static async Task<IResult> GitHubAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        WebhookDeliveries deliveries,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        DeploymentIngestion deployments,
        CancellationToken ct
    )
    {
        if (await ReadBodyAsync(request, ct) is not { } body)
            return TooLarge();
        var signers = await secrets.SignersAsync(WebhookTool.GitHub, ct);
        if (signers.Count == 0)
            return NotConfigured(WebhookTool.GitHub);
        var header = request.Headers["X-Hub-Signature-256"].ToString();
        var signedBy = signers.Where(s => WebhookSignature.IsValidGitHub(header, s.Secret, body)).ToList();
        if (signedBy.Count == 0)
            return BadSignature("X-Hub-Signature-256");

        var githubEvent = request.Headers["X-GitHub-Event"].ToString();
        if (githubEvent == "ping")
            return TypedResults.Ok(new { status = "pong" });
        if (githubEvent != "deployment_status")
            return Ignored($"GitHub event \"{githubEvent}\" is not used.");
        var deliveryId = request.Headers["X-GitHub-Delivery"].ToString();
        if (deliveryId.Length is 0 or > 200)
            return Invalid("X-GitHub-Delivery", "GitHub names each delivery in X-GitHub-Delivery.");

        using var document = TryParse(body);
        if (document is null)
            return Invalid("body", "The body is not valid JSON.");
        var (reading, answer) = await GitHubDeploymentStatus.ReadAsync(document.RootElement, dbFactory, ct);
        if (reading is null)
            return answer!;
        if (signedBy.FirstOrDefault(s => s.SpeaksForService(reading.Service, reading.Repository)) is not { } signer)
            return WrongOwner(signedBy[0], $"repository {reading.Repository}");
        if (await deliveries.SeenAsync(WebhookTool.GitHub, deliveryId, ct))
            return Duplicate(deliveryId);

        var outcome = await deployments.IngestForServiceAsync(reading.Service, reading.Request, ct);
        return await ActedOnAsync(outcome, WebhookTool.GitHub, deliveryId, signer, secrets, deliveries, ct);
    }

    private static async Task<IResult> PagerDutyAsync(
        HttpRequest request,
        WebhookSecrets secrets,
        WebhookDeliveries deliveries,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        IncidentIngestion incidents,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (await ReadBodyAsync(request, ct) is not { } body)
            return TooLarge();
        var signers = await secrets.SignersAsync(WebhookTool.PagerDuty, ct);
        if (signers.Count == 0)
            return NotConfigured(WebhookTool.PagerDuty);
        var header = request.Headers["X-PagerDuty-Signature"].ToString();
        var signedBy = signers.Where(s => WebhookSignature.IsValidPagerDuty(header, s.Secret, body)).ToList();
        if (signedBy.Count == 0)
            return BadSignature("X-PagerDuty-Signature");

        using var document = TryParse(body);
        if (document is null)
            return Invalid("body", "The body is not valid JSON.");
        var (reading, answer) = await PagerDutyIncidents.ReadAsync(
            document.RootElement,
            dbFactory,
            clock.GetUtcNow().UtcDateTime,
            ct
        );
        if (reading is null)
            return answer!;
        if (signedBy.FirstOrDefault(s => s.SpeaksForService(reading.Service)) is not { } signer)
            return WrongOwner(signedBy[0], $"service {reading.Service.TeamSlug}/{reading.Service.Slug}");
        var eventId = PagerDutyIncidents.EventId(document.RootElement)!;
        if (await deliveries.SeenAsync(WebhookTool.PagerDuty, eventId, ct))
            return Duplicate(eventId);

        var outcome = await incidents.IngestForServiceAsync(reading.Service, reading.Request, reading.Reopen, ct);
        return await ActedOnAsync(outcome, WebhookTool.PagerDuty, eventId, signer, secrets, deliveries, ct);
    }

    private static async Task<IResult> AlertmanagerAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IOptionsMonitor<WebhookOptions> options,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        IncidentIngestion incidents,
        ServiceResolver resolver,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (await ReadBodyAsync(request, ct) is not { } body)
            return TooLarge();
        return await AlertmanagerAlerts.HandleAsync(
            body,
            user,
            options.CurrentValue.Alertmanager,
            dbFactory,
            incidents,
            resolver,
            clock,
            ct
        );
    }

    /// <summary>Answers what ingestion did; a stored event also marks its delivery as acted on.</summary>
    private static async Task<IResult> ActedOnAsync<T>(
        IngestOutcome<T> outcome,
        WebhookTool tool,
        string deliveryId,
        WebhookSigner signer,
        WebhookSecrets secrets,
        WebhookDeliveries deliveries,
        CancellationToken ct
    )
    {
        if (outcome is IngestOutcome<T>.Stored)
            await deliveries.RecordAsync(tool, deliveryId, signer.Id, ct);
        return await AnsweredAsync(outcome, signer.Id, secrets, ct);
    }

    /// <summary>Answers what ingestion did; a stored event marks the secret that verified it as used.</summary>
    internal static async Task<IResult> AnsweredAsync<T>(
        IngestOutcome<T> outcome,
        int secretId,
        WebhookSecrets secrets,
        CancellationToken ct
    )
    {
        if (outcome is IngestOutcome<T>.Stored)
            await secrets.TouchAsync(secretId, ct);
        return ToResult(outcome);
    }

    internal static IResult Ignored(string why) =>
        TypedResults.Accepted((string?)null, new { status = "ignored", reason = why });

    private static IResult Duplicate(string deliveryId) =>
        TypedResults.Ok(
            new { status = "duplicate", reason = $"Delivery {deliveryId} was acted on already; nothing changed." }
        );

    internal static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    internal static IResult ToResult<T>(IngestOutcome<T> outcome) =>
        outcome switch
        {
            IngestOutcome<T>.Stored { Created: true } stored => TypedResults.Created((string?)null, stored.Item),
            IngestOutcome<T>.Stored stored => TypedResults.Ok(stored.Item),
            IngestOutcome<T>.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            IngestOutcome<T>.NotFound notFound => TypedResults.Problem(
                notFound.Detail,
                statusCode: StatusCodes.Status404NotFound
            ),
            IngestOutcome<T>.Forbidden forbidden => TypedResults.Problem(
                forbidden.Detail,
                statusCode: StatusCodes.Status403Forbidden
            ),
            _ => throw new InvalidOperationException("Unknown ingestion outcome."),
        };

    internal static IResult NotConfigured(WebhookTool tool) =>
        TypedResults.Problem(
            $"The {tool} webhook has no secret yet: an Admin adds one (Admin → Webhooks, or `webhooks add --tool "
                + $"{tool.Name()}`), bound to what it may speak for.",
            statusCode: StatusCodes.Status404NotFound
        );

    internal static IResult BadToken(string where) =>
        TypedResults.Problem(
            $"{where} matches no active webhook secret.",
            statusCode: StatusCodes.Status401Unauthorized
        );

    private static IResult BadSignature(string header) =>
        TypedResults.Problem($"The {header} signature does not match.", statusCode: StatusCodes.Status401Unauthorized);

    internal static IResult WrongOwner(WebhookSigner signer, string named) =>
        TypedResults.Problem(
            $"This delivery is signed with the secret for {signer.SpeaksFor}, which may not speak for {named}. "
                + "Nothing was stored.",
            statusCode: StatusCodes.Status403Forbidden
        );

    internal static IResult TooLarge() => Invalid("body", $"The body is larger than {MaxWebhookBytes / 1024} KB.");

    /// <summary>The raw bytes, as signed: a signature is checked before anything is parsed.</summary>
    private static Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct) =>
        ApiJson.ReadCappedAsync(request, MaxWebhookBytes, ct);

    internal static JsonDocument? TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string? Text(this JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                return null;
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
    }

    internal static DateTimeOffset? Time(this JsonElement element, params string[] path) =>
        element.Text(path) is { } text
        && DateTimeOffset.TryParse(
            text,
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal,
            out var value
        )
            ? value
            : null;

    /// <summary>The one service a tool's own id names; a problem to answer when none or several do.</summary>
    internal static async Task<(ResolvedService? Service, IResult? Problem)> ServiceWhereAsync(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        System.Linq.Expressions.Expression<Func<Service, bool>> predicate,
        string what,
        CancellationToken ct
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var matches = await db
            .Services.Where(predicate)
            .Select(s => new ResolvedService(s.Id, s.TeamId, s.Team.Slug, s.Slug))
            .Take(10)
            .ToListAsync(ct);
        return matches.Count switch
        {
            1 => (matches[0], null),
            0 => (
                null,
                TypedResults.Problem(
                    $"No service names {what} (set it in the catalog).",
                    statusCode: StatusCodes.Status404NotFound
                )
            ),
            _ => (
                null,
                TypedResults.Problem(
                    $"Several services name {what} "
                        + $"({string.Join(", ", matches.Select(m => $"{m.TeamSlug}/{m.Slug}"))}); give it to one of "
                        + $"them only.",
                    statusCode: StatusCodes.Status409Conflict
                )
            ),
        };
    }
}

/// <summary>Delivery ids already acted on, so a replayed delivery changes nothing.</summary>
public sealed class WebhookDeliveries(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public async Task<bool> SeenAsync(WebhookTool tool, string deliveryId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WebhookDeliveries.AnyAsync(d => d.Tool == tool && d.DeliveryId == deliveryId, ct);
    }

    /// <summary>
    /// Recorded once the event is stored, so a delivery that failed (a 503, a refusal) can be redelivered under the
    /// same id. Two copies at once both store the same idempotent event, and the unique index keeps one record.
    /// </summary>
    public async Task RecordAsync(WebhookTool tool, string deliveryId, int secretId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.WebhookDeliveries.Add(
            new WebhookDelivery
            {
                Tool = tool,
                DeliveryId = deliveryId,
                SecretId = secretId,
                ReceivedAt = clock.GetUtcNow().UtcDateTime,
            }
        );
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // the other copy recorded it
        }
    }
}
