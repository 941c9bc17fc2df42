namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>
/// The definition shown beside every figure. It is the one computed: each text names exactly what the calculator
/// does, and the calculators' tests pin the same cases.
/// </summary>
public static class MetricDefinitions
{
    public sealed record Definition(string Key, string Name, string Text);

    public static readonly Definition DaysSince = new("days-since", "Days since we were really glad we didn't deploy live",
        "Whole calendar days, in the team's time zone, between the local date of the latest counting catch and today. " +
        "A catch yesterday at 23:50 shows 1 today. A catch is a defect caught before production that would have hurt " +
        "production; it counts when its severity is within the team's threshold (default 1–3). With no catch ever, the " +
        "count runs from the team's first recorded event and says \"no catches recorded yet\".");

    public static readonly Definition Record = new("record", "Record",
        "The longest run of days between consecutive counting catches, the current run included.");

    public static readonly Definition Mtbf = new("mtbf", "MTBF — mean time between failures",
        "(Window length − production downtime in the window) ÷ number of failures that started in the window. " +
        "A failure is a production incident of counting severity. Downtime is the union of failure intervals clipped " +
        "to the window: overlapping failures count once, and a failure still open counts until now. No failure in the " +
        "window shows \"no failures\", never infinity. On the wall the window is the last 90 days: [now − 90 days, now).");

    public static readonly Definition Mttr = new("mttr", "MTTR — mean time to restore",
        "Over failures that started in the window and are resolved: the mean of (resolved − impact start), with the " +
        "median and the 90th percentile (nearest rank) alongside. Failures still open are counted and shown, not " +
        "dropped. On the wall the window is the last 90 days: [now − 90 days, now).");

    public static IReadOnlyList<Definition> All { get; } = [DaysSince, Record, Mtbf, Mttr];
}
