using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// Webhooks from the tools teams already run, each verified the way that tool signs (GitHub, PagerDuty: HMAC of the
/// raw body with a configured secret; Alertmanager: an API key as bearer token), mapped onto deployments and incidents
/// through the same idempotent ingestion as the API: a redelivered webhook never counts twice.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxWebhookBytes = 1024 * 1024;

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks");

        webhooks.MapPost("/github", async (HttpRequest request, IOptionsMonitor<WebhookOptions> options,
                IDbContextFactory<ReleaseBoardDbContext> dbFactory, DeploymentIngestion deployments, CancellationToken ct) =>
            {
                if (options.CurrentValue.GitHub.Secret is not { Length: > 0 } secret) return NotConfigured("GitHub", "Webhooks:GitHub:Secret");
                if (await ReadBodyAsync(request, ct) is not { } body) return TooLarge();
                if (!WebhookSignature.IsValidGitHub(request.Headers["X-Hub-Signature-256"], secret, body))
                    return TypedResults.Problem("The X-Hub-Signature-256 signature does not match.", statusCode: StatusCodes.Status401Unauthorized);
                var githubEvent = request.Headers["X-GitHub-Event"].ToString();
                if (githubEvent == "ping") return TypedResults.Ok(new { status = "pong" });
                if (githubEvent != "deployment_status") return Ignored($"GitHub event \"{githubEvent}\" is not used.");
                return await GitHubDeploymentStatus.HandleAsync(body, dbFactory, deployments, ct);
            })
            .AllowAnonymous() // the signature is the authentication
            .WithName("GitHubWebhook")
            .WithSummary("GitHub deployment_status events → deployments. Verified by X-Hub-Signature-256.");

        webhooks.MapPost("/pagerduty", async (HttpRequest request, IOptionsMonitor<WebhookOptions> options,
                IDbContextFactory<ReleaseBoardDbContext> dbFactory, IncidentIngestion incidents, CancellationToken ct) =>
            {
                if (options.CurrentValue.PagerDuty.Secret is not { Length: > 0 } secret) return NotConfigured("PagerDuty", "Webhooks:PagerDuty:Secret");
                if (await ReadBodyAsync(request, ct) is not { } body) return TooLarge();
                if (!WebhookSignature.IsValidPagerDuty(request.Headers["X-PagerDuty-Signature"], secret, body))
                    return TypedResults.Problem("The X-PagerDuty-Signature signature does not match.", statusCode: StatusCodes.Status401Unauthorized);
                return await PagerDutyIncidents.HandleAsync(body, dbFactory, incidents, ct);
            })
            .AllowAnonymous() // the signature is the authentication
            .WithName("PagerDutyWebhook")
            .WithSummary("PagerDuty v3 incident events → incidents. Verified by X-PagerDuty-Signature.");

        webhooks.MapPost("/alertmanager", async (HttpRequest request, ClaimsPrincipal user, IOptionsMonitor<WebhookOptions> options,
                IDbContextFactory<ReleaseBoardDbContext> dbFactory, IncidentIngestion incidents, ServiceResolver resolver, TimeProvider clock, CancellationToken ct) =>
            {
                if (await ReadBodyAsync(request, ct) is not { } body) return TooLarge();
                return await AlertmanagerAlerts.HandleAsync(body, user, options.CurrentValue.Alertmanager, dbFactory, incidents, resolver, clock, ct);
            })
            .RequireAuthorization(Policies.Ingest)
            .WithName("AlertmanagerWebhook")
            .WithSummary("Prometheus Alertmanager webhook (version 4) → incidents. Authenticated by an API key as bearer token.");

        return api;
    }

    internal static IResult Ignored(string why) => TypedResults.Accepted((string?)null, new { status = "ignored", reason = why });

    internal static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    internal static IResult ToResult<T>(IngestOutcome<T> outcome) => outcome switch
    {
        IngestOutcome<T>.Stored { Created: true } stored => TypedResults.Created((string?)null, stored.Item),
        IngestOutcome<T>.Stored stored => TypedResults.Ok(stored.Item),
        IngestOutcome<T>.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        IngestOutcome<T>.NotFound notFound => TypedResults.Problem(notFound.Detail, statusCode: StatusCodes.Status404NotFound),
        IngestOutcome<T>.Forbidden forbidden => TypedResults.Problem(forbidden.Detail, statusCode: StatusCodes.Status403Forbidden),
        _ => throw new InvalidOperationException("Unknown ingestion outcome."),
    };

    private static IResult NotConfigured(string tool, string key) =>
        TypedResults.Problem($"The {tool} webhook is not configured: set {key}.", statusCode: StatusCodes.Status404NotFound);

    private static IResult TooLarge() => Invalid("body", $"The body is larger than {MaxWebhookBytes / 1024} KB.");

    /// <summary>The raw bytes, as signed: a signature is checked before anything is parsed.</summary>
    private static Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct) => ApiJson.ReadCappedAsync(request, MaxWebhookBytes, ct);

    internal static JsonDocument? TryParse(byte[] body)
    {
        try { return JsonDocument.Parse(body); }
        catch (JsonException) { return null; }
    }

    internal static string? Text(this JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : element.ValueKind is JsonValueKind.Number ? element.GetRawText() : null;
    }

    internal static DateTimeOffset? Time(this JsonElement element, params string[] path) =>
        element.Text(path) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    /// <summary>The one service a tool's own id names; a problem to answer when none or several do.</summary>
    internal static async Task<(ResolvedService? Service, IResult? Problem)> ServiceWhereAsync(IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        System.Linq.Expressions.Expression<Func<Service, bool>> predicate, string what, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var matches = await db.Services.Where(predicate).Select(s => new ResolvedService(s.Id, s.TeamId, s.Team.Slug, s.Slug)).Take(10).ToListAsync(ct);
        return matches.Count switch
        {
            1 => (matches[0], null),
            0 => (null, TypedResults.Problem($"No service names {what} (set it in the catalog).", statusCode: StatusCodes.Status404NotFound)),
            _ => (null, TypedResults.Problem($"Several services name {what} ({string.Join(", ", matches.Select(m => $"{m.TeamSlug}/{m.Slug}"))}); give it to one of them only.", statusCode: StatusCodes.Status409Conflict)),
        };
    }
}
