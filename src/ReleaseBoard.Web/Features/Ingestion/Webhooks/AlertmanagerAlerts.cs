using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// Alertmanager (payload version 4): each alert an incident, its fingerprint the id, label "service" the service.
/// Every alert is checked before any is stored, so a retry of a refused group finds the same state.
/// </summary>
internal static class AlertmanagerAlerts
{
    public const string Source = "alertmanager";

    private sealed record Alert(
        string Service,
        string Fingerprint,
        bool Resolved,
        DateTimeOffset StartsAt,
        DateTimeOffset? EndsAt,
        string Title,
        int Severity,
        string? Url
    );

    public static async Task<IResult> HandleAsync(
        byte[] body,
        ClaimsPrincipal caller,
        WebhookOptions.AlertmanagerSettings settings,
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        IncidentIngestion incidents,
        ServiceResolver resolver,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        using var document = WebhookEndpoints.TryParse(body);
        if (document is null)
            return WebhookEndpoints.Invalid("body", "The body is not valid JSON.");
        var root = document.RootElement;
        if (root.Text("version") != "4")
            return WebhookEndpoints.Invalid("version", "Only Alertmanager webhook payload version 4 is understood.");
        if (
            root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("alerts", out var alertsElement)
            || alertsElement.ValueKind != JsonValueKind.Array
        )
            return WebhookEndpoints.Invalid("alerts", "The payload has no alerts array.");

        var alerts = new List<Alert>();
        var index = 0;
        foreach (var alert in alertsElement.EnumerateArray())
        {
            var field = $"alerts[{index++}]";
            var service = alert.Text("labels", "service");
            var fingerprint = alert.Text("fingerprint");
            var startsAt = alert.Time("startsAt");
            if (service is null)
                return WebhookEndpoints.Invalid(field, "The alert has no \"service\" label naming the service.");
            if (fingerprint is null || startsAt is null)
                return WebhookEndpoints.Invalid(field, "The alert has no fingerprint or startsAt.");
            var resolved = alert.Text("status") == "resolved";
            // Alertmanager sends endsAt "0001-01-01T00:00:00Z" (or a future expiry) while firing: only a resolved alert
            // has ended.
            var endsAt = resolved ? alert.Time("endsAt") : null;
            var severity =
                alert.Text("labels", "severity") is { } label && settings.SeverityMap.TryGetValue(label, out var mapped)
                    ? mapped
                    : 4;
            var title = alert.Text("annotations", "summary")
                ?? alert.Text("labels", "alertname")
                ?? "Alertmanager alert";
            alerts.Add(
                new Alert(
                    service,
                    fingerprint,
                    resolved,
                    startsAt.Value,
                    endsAt,
                    title.Length > EventRules.TitleMaxLength ? title[..EventRules.TitleMaxLength] : title,
                    severity,
                    alert.Text("generatorURL")
                )
            );
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var services = new Dictionary<string, ResolvedService>(StringComparer.Ordinal);
        foreach (var slug in alerts.Select(a => a.Service).Distinct())
        {
            var (service, refusal) = await resolver.ResolveAsync<IncidentItem>(db, slug, caller, ct);
            if (service is null)
                return WebhookEndpoints.ToResult(refusal!);
            services[slug] = service;
        }

        var requests = alerts
            .Select(alert => new IncidentRequest(
                alert.Service,
                alert.Severity,
                alert.Title,
                alert.StartsAt,
                alert.StartsAt,
                alert.EndsAt,
                null,
                Uri.TryCreate(alert.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                    ? alert.Url
                    : null,
                Source,
                alert.Fingerprint
            ))
            .ToList();
        // Every alert passes the API's rules before any is stored: a refused group stores nothing.
        var now = clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < requests.Count; i++)
            if (IncidentIngestion.Validate(requests[i], now) is { Any: true } errors)
                return TypedResults.ValidationProblem(
                    errors.Errors.ToDictionary(e => $"alerts[{i}].{e.Key}", e => e.Value)
                );

        var stored = new List<IncidentItem>();
        foreach (var (alert, request) in alerts.Zip(requests))
        {
            var outcome = await incidents.IngestForServiceAsync(
                services[alert.Service],
                request,
                reopen: !alert.Resolved,
                ct
            );
            if (outcome is not IngestOutcome<IncidentItem>.Stored { Item: var item })
                return WebhookEndpoints.ToResult(outcome);
            stored.Add(item);
        }
        return TypedResults.Ok(new { incidents = stored });
    }
}
