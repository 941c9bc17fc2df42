using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// PagerDuty v3 incident events → an incident per PagerDuty incident id. Triggered (and acknowledged, escalated, …)
/// open it, resolved resolves it at the event's time, reopened clears the resolution. Priority P1–P3 gives the
/// severity; without a priority, high urgency is 2 and low urgency 3.
/// </summary>
internal static class PagerDutyIncidents
{
    public const string Source = "pagerduty";

    public static async Task<IResult> HandleAsync(byte[] body, IDbContextFactory<ReleaseBoardDbContext> dbFactory, IncidentIngestion incidents, CancellationToken ct)
    {
        using var document = WebhookEndpoints.TryParse(body);
        if (document is null) return WebhookEndpoints.Invalid("body", "The body is not valid JSON.");
        var root = document.RootElement;

        var eventType = root.Text("event", "event_type");
        if (root.Text("event", "resource_type") != "incident" || root.Text("event", "data", "type") != "incident")
            return WebhookEndpoints.Ignored($"PagerDuty event \"{eventType}\" carries no incident.");

        var incidentId = root.Text("event", "data", "id");
        var serviceId = root.Text("event", "data", "service", "id");
        var occurredAt = root.Time("event", "occurred_at");
        if (incidentId is null || serviceId is null || occurredAt is null)
            return WebhookEndpoints.Invalid("body", "An incident event needs event.data.id, event.data.service.id and event.occurred_at.");

        var (service, problem) = await WebhookEndpoints.ServiceWhereAsync(dbFactory, s => s.PagerDutyServiceId == serviceId, $"the PagerDuty service \"{serviceId}\"", ct);
        if (service is null) return problem!;

        var status = root.Text("event", "data", "status");
        var resolved = eventType == "incident.resolved" || status == "resolved";
        var startedAt = root.Time("event", "data", "created_at") ?? occurredAt;
        var request = new IncidentRequest(
            service.Slug, SeverityOf(root.Text("event", "data", "priority", "summary"), root.Text("event", "data", "urgency")),
            root.Text("event", "data", "title") ?? $"PagerDuty incident {incidentId}",
            startedAt, startedAt, resolved ? occurredAt : null, null, root.Text("event", "data", "html_url"), Source, incidentId);
        return WebhookEndpoints.ToResult(await incidents.IngestForServiceAsync(service, request, reopen: eventType == "incident.reopened", ct));
    }

    internal static int SeverityOf(string? priority, string? urgency) => priority?.ToUpperInvariant() switch
    {
        "P1" => 1,
        "P2" => 2,
        "P3" => 3,
        "P4" or "P5" => 4,
        _ => urgency == "high" ? 2 : 3,
    };
}
