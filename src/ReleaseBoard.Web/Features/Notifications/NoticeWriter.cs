using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Promotion;

namespace ReleaseBoard.Web.Features.Notifications;

/// <summary>The words of each notice, from the audit entries that announce it.</summary>
internal static class NoticeWriter
{
    public static List<Notice> Write(
        IReadOnlyList<AuditEntry> entries,
        IReadOnlyDictionary<int, Place> environments,
        IReadOnlyDictionary<int, (string Slug, string Name)> teams,
        Uri? publicBase
    )
    {
        var notices = new List<Notice>();
        Place? PlaceOf(AuditEntry entry) =>
            AuditNotifications.EnvironmentOf(entry.Subject) is { } id && environments.TryGetValue(id, out var place)
                ? place
                : null;
        string? Link(string? teamSlug) =>
            publicBase is null ? null
            : teamSlug is null ? new Uri(publicBase, "pipelines").ToString()
            : new Uri(publicBase, $"pipelines?team={Uri.EscapeDataString(teamSlug)}").ToString();

        // One incident, or one stop of the line, pauses several environments: people hear of it once.
        foreach (
            var group in entries
                .Where(e => PlaceOf(e) is not null)
                .GroupBy(e => (Event: NotificationEvents.OfAudit(e.Action)!, PlaceOf(e)!.TeamId, e.Reason, e.Actor))
        )
        {
            var places = group.Select(e => PlaceOf(e)!).ToList();
            var first = group.First();
            var place = places[0];
            var where = string.Join(", ", places.Select(p => $"{p.Service} → {p.Environment}"));
            var facts = new List<NoticeFact> { new("Team", place.TeamName) };
            string title,
                text;
            var linkText = "Open the pipelines";
            switch (group.Key.Event)
            {
                case NotificationEvents.PausedByIncident:
                    title = $"Promotion paused by an incident ({places.Count} environment{Plural(places.Count)})";
                    text = $"{first.Reason}. Paused: {where}. Resuming needs a new request and its approval.";
                    break;
                case NotificationEvents.StopTheLine:
                    title = $"The line is stopped ({places.Count} environment{Plural(places.Count)} paused)";
                    text = $"{first.Actor} stopped the line: {first.Reason}. Paused: {where}.";
                    break;
                case NotificationEvents.ApprovalWaiting:
                    title = $"Waiting for approval: {where} to Continuous";
                    text =
                        $"{first.Actor} asks for continuous promotion: {first.Reason}. Four eyes: someone else "
                        + $"approves, within {PromotionService.RequestLifetime.TotalHours:0} hours.";
                    linkText = "Review the evidence and approve";
                    break;
                case NotificationEvents.NowContinuous:
                    title = $"{where} now promotes continuously";
                    text = $"Approved ({first.Reason}). ReleaseBoard promotes every version that passes the gate.";
                    break;
                case NotificationEvents.OverrideUsed:
                    title = $"Approved with an override: {where}";
                    text =
                        $"{first.Actor} approved although the evidence fails. Override: {first.Reason}."
                        + (first.Evidence is { Length: > 0 } evidence ? $" Evidence: {evidence}" : "");
                    break;
                case NotificationEvents.RequestExpired:
                    title = $"A request expired: {where}";
                    text = $"Nobody approved the {first.Reason} in time; the environment stays {first.After}.";
                    break;
                case NotificationEvents.DispatchFailed:
                    title = $"Dispatch failed: {where}";
                    text = $"{first.After}. {first.Reason}".Trim();
                    linkText = "See the outbox";
                    break;
                default:
                    continue;
            }
            facts.Add(new NoticeFact("Where", where));
            notices.Add(
                new Notice(
                    group.Key.Event,
                    place.TeamId,
                    place.TeamSlug,
                    title,
                    text,
                    facts,
                    group.Key.Event == NotificationEvents.DispatchFailed && publicBase is not null
                        ? new Uri(publicBase, "admin/notifications").ToString()
                        : Link(place.TeamSlug),
                    linkText,
                    first.At,
                    $"{group.Key.Event}/{Guid.NewGuid():N}"
                )
            );
        }

        // What the watch writes as time passes: keyed by what it is about, so two instances write it once.
        foreach (var entry in entries.Where(e => PlaceOf(e) is null))
        {
            var code = NotificationEvents.OfAudit(entry.Action)!;
            (string Slug, string Name)? team =
                entry.TeamId is { } t && teams.TryGetValue(t, out var found) ? found : null;
            var facts = new List<NoticeFact> { new("Team", team?.Name ?? "Every team") };
            string title,
                text;
            switch (code)
            {
                case NotificationEvents.FreezeStarted:
                    title = $"Freeze started: {entry.After}";
                    text = $"No promotion until it ends: {entry.Reason}.";
                    break;
                case NotificationEvents.FreezeEnded:
                    title = $"Freeze ended: {entry.After}";
                    text = entry.Reason ?? "Promotion follows its windows again.";
                    break;
                case NotificationEvents.RecordBeaten:
                    title = $"A new record: {entry.After}";
                    text = $"{entry.After} since we were really glad we didn't deploy live: {entry.Reason}.";
                    break;
                default:
                    continue;
            }
            notices.Add(
                new Notice(
                    code,
                    entry.TeamId,
                    team?.Slug,
                    title,
                    text,
                    facts,
                    code == NotificationEvents.RecordBeaten && publicBase is not null && team is { } shown
                        ? new Uri(publicBase, $"wall/{Uri.EscapeDataString(shown.Slug)}").ToString()
                        : Link(team?.Slug),
                    code == NotificationEvents.RecordBeaten ? "Open the wall" : "Open the pipelines",
                    entry.At,
                    $"{code}/{entry.Subject}/{entry.Before}"
                )
            );
        }
        return notices;
    }

    private static string Plural(int count) => count == 1 ? "" : "s";
}
