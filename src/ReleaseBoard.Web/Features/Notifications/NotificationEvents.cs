namespace ReleaseBoard.Web.Features.Notifications;

/// <summary>
/// What people hear of, by its published code (targets subscribe to codes), and the audit actions each one follows:
/// a notification is written with the audit entry of what happened, in the same transaction (decision 0012).
/// </summary>
public static class NotificationEvents
{
    public const string PausedByIncident = "paused-by-incident";
    public const string StopTheLine = "stop-the-line";
    public const string ApprovalWaiting = "approval-waiting";
    public const string NowContinuous = "now-continuous";
    public const string OverrideUsed = "override-used";
    public const string RequestExpired = "request-expired";
    public const string DispatchFailed = "dispatch-failed";
    public const string FreezeStarted = "freeze-started";
    public const string FreezeEnded = "freeze-ended";
    public const string RecordBeaten = "record-beaten";
    public const string Test = "test";

    /// <summary>Audit actions written by the watch for what happens with time, not by a person or a write.</summary>
    public const string FreezeStartedAction = "freeze.started";
    public const string FreezeEndedAction = "freeze.ended";
    public const string RecordBeatenAction = "record.beaten";

    public static readonly IReadOnlyList<(string Code, string Label)> All =
    [
        (PausedByIncident, "Paused by an incident"),
        (StopTheLine, "Stop the line"),
        (ApprovalWaiting, "A request waits for approval"),
        (NowContinuous, "Approved: now continuous"),
        (OverrideUsed, "An override was used"),
        (RequestExpired, "A request expired"),
        (DispatchFailed, "A dispatch failed"),
        (FreezeStarted, "A freeze started"),
        (FreezeEnded, "A freeze ended"),
        (RecordBeaten, "A record streak was beaten"),
    ];

    /// <summary>The event an audit action announces, or null when people are not told of it.</summary>
    public static string? OfAudit(string action) =>
        action switch
        {
            "promotion.paused-by-failure" => PausedByIncident,
            "promotion.stop-the-line" => StopTheLine,
            "promotion.requested" => ApprovalWaiting,
            "promotion.continuous" => NowContinuous,
            "promotion.approved-with-override" => OverrideUsed,
            "promotion.expired" => RequestExpired,
            "promotion.dispatch-failed" => DispatchFailed,
            FreezeStartedAction => FreezeStarted,
            FreezeEndedAction => FreezeEnded,
            RecordBeatenAction => RecordBeaten,
            _ => null,
        };

    /// <summary>Codes as a person or a script gave them: known, distinct, in the published order.</summary>
    public static (IReadOnlyList<string> Codes, string? Unknown) Parse(IEnumerable<string>? codes)
    {
        var given = (codes ?? [])
            .SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(c => c.ToLowerInvariant())
            .ToHashSet();
        var unknown = given.FirstOrDefault(c => All.All(e => e.Code != c));
        return (All.Select(e => e.Code).Where(given.Contains).ToList(), unknown);
    }
}

/// <summary>
/// One thing to tell people, the same for every target: each renders it its own way (Slack blocks, an Adaptive Card,
/// our JSON). <paramref name="Key"/> is the event's part of the idempotency key.
/// </summary>
public sealed record Notice(
    string Event,
    int? TeamId,
    string? Team,
    string Title,
    string Text,
    IReadOnlyList<NoticeFact> Facts,
    string? Link,
    string? LinkText,
    DateTime At,
    string Key
);

public sealed record NoticeFact(string Name, string Value);
