using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// GitHub "deployment_status" → a deployment: the deployment id is the external id, so its statuses update one
/// record; the repository finds the service.
/// </summary>
internal static class GitHubDeploymentStatus
{
    public const string Source = "github";

    /// <summary>What a delivery asks to store, for the service it names; or the answer that refuses it.</summary>
    public sealed record Reading(ResolvedService Service, string Repository, DeploymentRequest Request);

    public static async Task<(Reading? Reading, IResult? Answer)> ReadAsync(
        JsonElement root,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken ct
    )
    {
        var repository = root.Text("repository", "full_name");
        var deploymentId = root.Text("deployment", "id");
        var state = root.Text("deployment_status", "state");
        var environment = root.Text("deployment_status", "environment") ?? root.Text("deployment", "environment");
        if (repository is null || deploymentId is null || state is null || environment is null)
            return (
                null,
                WebhookEndpoints.Invalid(
                    "body",
                    "A deployment_status event needs repository.full_name, "
                        + "deployment.id, deployment_status.state and an environment."
                )
            );

        DeploymentOutcome? outcome = state switch
        {
            "success" => DeploymentOutcome.Succeeded,
            "failure" or "error" => DeploymentOutcome.Failed,
            "pending" or "queued" or "in_progress" => DeploymentOutcome.InProgress,
            _ => null, // "inactive": an older deployment was superseded; nothing happened now
        };
        if (outcome is null)
            return (null, WebhookEndpoints.Ignored($"Deployment state \"{state}\" is not recorded."));

        // GitHub's names are case-insensitive ("Acme/Payments-API" is acme/payments-api).
        var lowered = repository.ToLowerInvariant();
        var (service, problem) = await WebhookEndpoints.ServiceWhereAsync(
            dbFactory,
            s => s.Repository != null && s.Repository.ToLower() == lowered,
            $"the repository \"{repository}\"",
            ct
        );
        if (service is null)
            return (null, problem);

        var startedAt = root.Time("deployment", "created_at") ?? root.Time("deployment_status", "created_at");
        var finishedAt =
            outcome == DeploymentOutcome.InProgress
                ? null
                : root.Time("deployment_status", "created_at") ?? root.Time("deployment_status", "updated_at");
        var sha = root.Text("deployment", "sha");
        var version =
            root.Text("deployment", "ref") is { Length: > 0 } reference && reference != sha
                ? reference
                : sha?[..Math.Min(12, sha.Length)];
        var request = new DeploymentRequest(
            service.Slug,
            environment,
            version ?? deploymentId,
            sha,
            null,
            startedAt,
            finishedAt is { } f && startedAt is { } s && f < s ? s : finishedAt,
            outcome,
            DeploymentKind.Normal,
            null,
            DeploymentTrigger.Automatic,
            Source,
            deploymentId,
            FixesIncident(root)
        );
        return (new Reading(service, lowered, request), null);
    }

    /// <summary>
    /// A deployment made to fix an incident says so in the payload it was created with (GitHub passes it through):
    /// <c>{"fixesIncident": {"source": "pagerduty", "externalId": "Q1..."}}</c>.
    /// </summary>
    private static EventReference? FixesIncident(JsonElement root)
    {
        // GitHub keeps a payload as it was given: an object, or a string of JSON.
        if (
            !root.TryGetProperty("deployment", out var deployment)
            || !deployment.TryGetProperty("payload", out var payload)
        )
            return null;
        using var parsed =
            payload.ValueKind == JsonValueKind.String
                ? WebhookEndpoints.TryParse(System.Text.Encoding.UTF8.GetBytes(payload.GetString()!))
                : null;
        var fixes = parsed?.RootElement ?? payload;
        var (source, externalId) = (fixes.Text("fixesIncident", "source"), fixes.Text("fixesIncident", "externalId"));
        return source is null && externalId is null ? null : new EventReference(source, externalId);
    }
}
