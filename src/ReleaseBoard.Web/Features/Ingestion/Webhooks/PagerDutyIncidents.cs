using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// PagerDuty v3 incident events → one incident per PagerDuty incident: resolved resolves, reopened clears the
/// resolution; priority P1–P3 is the severity, else urgency (high 2, low 3).
/// </summary>
internal static class PagerDutyIncidents
{
    public const string Source = "pagerduty";

    /// <summary>What an event asks to store, for the service it names, and whether it reopens.</summary>
    public sealed record Reading(ResolvedService Service, IncidentRequest Request, bool Reopen);

    /// <summary>The event's own id: PagerDuty sends each event once, with retries under the same id.</summary>
    public static string? EventId(JsonElement root) => root.Text("event", "id");

    public static async Task<(Reading? Reading, IResult? Answer)> ReadAsync(
        JsonElement root,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        DateTime now,
        CancellationToken ct
    )
    {
        var eventType = root.Text("event", "event_type");
        if (root.Text("event", "resource_type") != "incident" || root.Text("event", "data", "type") != "incident")
            return (null, WebhookEndpoints.Ignored($"PagerDuty event \"{eventType}\" carries no incident."));

        var incidentId = root.Text("event", "data", "id");
        var serviceId = root.Text("event", "data", "service", "id");
        var occurredAt = root.Time("event", "occurred_at");
        if (incidentId is null || serviceId is null || occurredAt is null || EventId(root) is null)
            return (
                null,
                WebhookEndpoints.Invalid(
                    "body",
                    "An incident event needs event.id, event.data.id, event.data.service.id and event.occurred_at."
                )
            );
        if (occurredAt.Value.UtcDateTime > now + EventRules.AllowedClockSkew)
            return (null, WebhookEndpoints.Invalid("event.occurred_at", "event.occurred_at is in the future."));

        var (service, problem) = await WebhookEndpoints.ServiceWhereAsync(
            dbFactory,
            s => s.PagerDutyServiceId == serviceId,
            $"the PagerDuty service \"{serviceId}\"",
            ct
        );
        if (service is null)
            return (null, problem);

        var status = root.Text("event", "data", "status");
        var resolved = eventType == "incident.resolved" || status == "resolved";
        var startedAt = root.Time("event", "data", "created_at") ?? occurredAt;
        var request = new IncidentRequest(
            service.Slug,
            SeverityOf(root.Text("event", "data", "priority", "summary"), root.Text("event", "data", "urgency")),
            root.Text("event", "data", "title") ?? $"PagerDuty incident {incidentId}",
            startedAt,
            startedAt,
            resolved ? occurredAt : null,
            null,
            root.Text("event", "data", "html_url"),
            Source,
            incidentId
        );
        return (new Reading(service, request, eventType == "incident.reopened"), null);
    }

    internal static int SeverityOf(string? priority, string? urgency) =>
        priority?.ToUpperInvariant() switch
        {
            "P1" => 1,
            "P2" => 2,
            "P3" => 3,
            "P4" or "P5" => 4,
            _ => urgency == "high" ? 2 : 3,
        };
}
