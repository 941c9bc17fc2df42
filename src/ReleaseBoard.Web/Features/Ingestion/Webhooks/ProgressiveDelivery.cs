using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// A Kubernetes workload (a Flagger canary, an Argo Rollout) in a namespace, as the catalog maps it: a service's
/// workload (its slug unless set) and one of its environments' namespace.
/// </summary>
/// <param name="Signer">The secret of the delivery that speaks for this service (the audit trail names it).</param>
public sealed record WorkloadTarget(ResolvedService Service, int EnvironmentId, string Environment, bool IsProduction)
{
    public WebhookSigner Signer { get; init; } = null!;

    public string Name => $"{Service.TeamSlug}/{Service.Slug}/{Environment}";
}

/// <summary>
/// What progressive-delivery tools report, turned into ReleaseBoard's events: a failed analysis before production is
/// a catch (the tool stopped a defect), one in production is a failure. Each delivery speaks for its secret's owner.
/// </summary>
public static class ProgressiveDelivery
{
    /// <summary>The severity a failed canary gets when its webhook's metadata names none.</summary>
    public const int DefaultSeverity = 3;

    /// <summary>The active secrets of <paramref name="tool"/> equal to a token, compared in constant time.</summary>
    public static IReadOnlyList<WebhookSigner> Matching(IReadOnlyList<WebhookSigner> active, string? token)
    {
        if (string.IsNullOrEmpty(token))
            return [];
        var given = Encoding.UTF8.GetBytes(token);
        return active
            .Where(s => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s.Secret), given))
            .ToList();
    }

    /// <summary>"Bearer x" → x; anything else → null.</summary>
    public static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header
        && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : null;

    /// <summary>
    /// The one environment running <paramref name="workload"/> in <paramref name="space"/> that a signer speaks for;
    /// or the answer: 404 when the catalog maps none, 403 when only another owner's does, 409 when two do. Where
    /// stages share a namespace name (one cluster per stage), the delivery names its <paramref name="environment"/>.
    /// </summary>
    public static async Task<(WorkloadTarget? Target, IResult? Problem)> FindAsync(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        string workload,
        string space,
        string? environment,
        IReadOnlyList<WebhookSigner> signers,
        CancellationToken ct
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var matches = await db
            .Environments.AsNoTracking()
            .Where(e =>
                e.Namespace == space
                && (environment == null || e.Name == environment)
                && (e.Service.Workload ?? e.Service.Slug) == workload
            )
            .Select(e => new WorkloadTarget(
                new ResolvedService(e.ServiceId, e.Service.TeamId, e.Service.Team.Slug, e.Service.Slug),
                e.Id,
                e.Name,
                e.IsProduction
            ))
            .Take(200)
            .ToListAsync(ct);
        var named =
            $"workload {workload} in namespace {space}" + (environment is null ? "" : $" as environment {environment}");
        if (matches.Count == 0)
            return (
                null,
                TypedResults.Problem(
                    $"No service runs {named}: set the service's workload (its slug unless set) and the environment's "
                        + "namespace in the catalog.",
                    statusCode: StatusCodes.Status404NotFound
                )
            );
        var owned = matches
            .Select(m => m with { Signer = signers.FirstOrDefault(s => s.SpeaksForService(m.Service))! })
            .Where(m => m.Signer is not null)
            .ToList();
        return owned.Count switch
        {
            1 => (owned[0], null),
            0 => (
                null,
                TypedResults.Problem(
                    $"This delivery's secret speaks for {signers[0].SpeaksFor}, which does not run {named}. "
                        + "Nothing was stored.",
                    statusCode: StatusCodes.Status403Forbidden
                )
            ),
            _ => (
                null,
                TypedResults.Problem(
                    $"Several environments run {named} "
                        + $"({string.Join(", ", owned.Select(o => o.Name))})"
                        + "; name the environment in the delivery, or give the namespace to one of them only.",
                    statusCode: StatusCodes.Status409Conflict
                )
            ),
        };
    }

    /// <summary>A failed analysis: before production a catch, in it a failure (resolved: rolled back).</summary>
    public static async Task<IResult> RecordFailedAnalysisAsync(
        WorkloadTarget target,
        FailedAnalysis failure,
        WebhookSecrets secrets,
        CatchIngestion catches,
        IncidentIngestion incidents,
        CancellationToken ct
    )
    {
        if (!target.IsProduction)
        {
            var caught = await catches.IngestForServiceAsync(
                target.Service,
                new CatchRequest(
                    target.Service.Slug,
                    target.Environment,
                    failure.Severity,
                    failure.Title,
                    failure.Message,
                    failure.Version,
                    failure.At,
                    failure.Tool,
                    failure.Source,
                    failure.ExternalId,
                    failure.Link
                ),
                new AuditActor(AuditActorKind.System, $"{failure.Tool} webhook", $"webhook-secret/{target.Signer.Id}"),
                ct
            );
            return await WebhookEndpoints.AnsweredAsync(caught, target.Signer.Id, secrets, ct);
        }
        var failed = await incidents.IngestForServiceAsync(
            target.Service,
            new IncidentRequest(
                target.Service.Slug,
                failure.Severity,
                failure.Title,
                failure.At,
                failure.At,
                failure.At,
                null,
                failure.Link,
                failure.Source,
                failure.ExternalId
            ),
            reopen: false,
            ct
        );
        return await WebhookEndpoints.AnsweredAsync(failed, target.Signer.Id, secrets, ct);
    }

    /// <summary>A "severity" of 1–4, or the default; anything else is a mistake worth saying.</summary>
    public static int? SeverityOf(string? text) =>
        text is null ? DefaultSeverity
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 4 ? s
        : null;

    public const string SeverityRule = "A severity is 1 (worst) to 4.";

    /// <summary>Flagger's metadata.timestamp: Unix milliseconds, as a string.</summary>
    public static DateTimeOffset? UnixMilliseconds(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
        && ms is > 946_684_800_000 and < 32_503_680_000_000
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}

/// <summary>A failed analysis as a tool reported it, in ReleaseBoard's words.</summary>
public sealed record FailedAnalysis(
    string Tool,
    string Source,
    string ExternalId,
    string Title,
    string? Message,
    int Severity,
    DateTimeOffset At,
    string? Version,
    string? Link
);

/// <summary>
/// Why a canary failed, when ReleaseBoard itself made it fail: its rollback webhook answers "roll back" while a
/// failure of pausing severity is open (the Promotion feature knows that rule and registers the answer).
/// </summary>
public interface ICanaryRollbackCause
{
    /// <summary>The incident that had the canary rolled back at <paramref name="atUtc"/>; null when none did.</summary>
    Task<string?> RolledBackForAsync(int serviceId, DateTime atUtc, CancellationToken cancellationToken);
}
