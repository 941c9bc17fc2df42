namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>
/// The definition shown beside every figure. It is the one computed: each text names exactly what the calculator
/// does, and the calculators' tests pin the same cases.
/// </summary>
public static class MetricDefinitions
{
    /// <param name="Dora">For one of DORA's five: their wording (dora.dev's metrics guide), quoted.</param>
    /// <param name="Note">Where ours differs from DORA's, or that the figure is ReleaseBoard's own.</param>
    public sealed record Definition(string Key, string Name, string Text, string? Dora = null, string? Note = null);

    private const string OwnRecoveryFigure =
        "ReleaseBoard's own recovery figure, not one of DORA's five: it follows incidents, whatever restored them, "
        + "where DORA's failed deployment recovery time follows deployments.";

    public static readonly Definition DaysSince = new(
        "days-since",
        "Days since we were really glad we didn't deploy live",
        "Whole calendar days, in the team's time zone, between the local date of the latest counting catch and today. "
            + "A catch yesterday at 23:50 shows 1 today. A catch is a defect caught before production that would have "
            + "hurt "
            + "production; it counts when its severity is within the team's threshold (default 1–3). With no catch "
            + "ever, the "
            + "count runs from the team's first recorded event and says \"no catches recorded yet\"."
    );

    public static readonly Definition Record = new(
        "record",
        "Record",
        "The longest run of days between consecutive counting catches, the current run included."
    );

    public static readonly Definition Mtbf = new(
        "mtbf",
        "MTBF — mean time between failures",
        "(Window length − production downtime in the window) ÷ number of failures that started in the window. "
            + "A failure is a production incident of counting severity. Downtime is the union of failure intervals "
            + "clipped "
            + "to the window: overlapping failures count once, and a failure still open counts until now. No failure "
            + "in the "
            + "window shows \"no failures\", never infinity. On the wall the window is the last 90 days: [now − 90 "
            + "days, now); "
            + "its trend line is that figure as it stood at the end of each of the last 12 weeks.",
        Note: OwnRecoveryFigure
    );

    public static readonly Definition Mttr = new(
        "mttr",
        "MTTR — mean time to restore",
        "Over failures that started in the window and are resolved: the mean of (resolved − impact start), with the "
            + "median and the 90th percentile (nearest rank) alongside. Failures still open are counted and shown, not "
            + "dropped. On the wall the window is the last 90 days: [now − 90 days, now); its trend line is that "
            + "figure as it "
            + "stood at the end of each of the last 12 weeks.",
        Note: OwnRecoveryFigure
    );

    public static readonly Definition Buckets = new(
        "buckets",
        "Buckets",
        "A trend splits its range into weeks (Monday 00:00 in the team's time zone) or calendar months; the range is "
            + "widened to whole buckets. A bucket's length is real elapsed time: the week the clocks go back has 169 "
            + "hours. "
            + "Incidents belong to the bucket of their impact start, deployments to that of their finish, catches to "
            + "that of "
            + "the time they were caught. The bucket that has not ended yet is measured up to now. All teams together "
            + "are "
            + "bucketed in UTC."
    );

    public static readonly Definition CatchRatio = new(
        "catch-ratio",
        "Catch ratio",
        "Counting catches ÷ (counting catches + failures) in the bucket: how much pre-production stops. Nothing in the "
            + "bucket → no value."
    );

    public static readonly Definition DeploymentFrequency = new(
        "deployment-frequency",
        "Deployment frequency",
        "Succeeded production deployments ÷ calendar days in the bucket (7 for a week, daylight saving or not; for the "
            + "bucket still running, the days so far, today included). A failed deployment never went live and counts "
            + "in no "
            + "figure; rollback deployments count only for time to roll back, the rework rate and as what restores a "
            + "failed deployment.",
        Note: "DORA's deployment frequency, per calendar day so that weeks and months compare."
    );

    public static readonly Definition LeadTime = new(
        "lead-time",
        "Change lead time (lead time for changes)",
        "Median of (finish − commit time) over succeeded production deployments that carry a commit time; values ≤ 0 "
            + "are ignored. Median of an even count: the mean of the two middle values.",
        Note: "DORA's change lead time, from the commit time the pipeline reports; a deployment without one is left "
            + "out rather than guessed."
    );

    public static readonly Definition ChangeFailureRate = new(
        "change-failure-rate",
        "Change failure rate",
        "Deployments that count (production, outcome succeeded or rolled back) and were rolled back (by their outcome, "
            + "or "
            + "by a rollback deployment that names them) or are named as the cause of a failure ÷ deployments that "
            + "count. Counted by deployment, never by incident: rolled back and named as "
            + "a cause counts once.",
        Dora: "the ratio of deployments that require immediate intervention following a deployment, likely resulting "
            + "in a rollback of the changes or a hotfix",
        Note: "\"Immediate intervention\" is read from the record: a rollback, or a failure that names the "
            + "deployment as its cause. A hotfix that names no failure is not seen."
    );

    public static readonly Definition FailedDeploymentRecovery = new(
        "failed-deployment-recovery-time",
        "Failed deployment recovery time",
        "For each failed deployment (one that counts and was rolled back, or is named as the cause of a failure), "
            + "in the bucket in which it went live: the time from its finish until a production deployment restored "
            + "service. That is the earliest of its rollback deployment, the first succeeded production deployment of "
            + "the same service reported as fixing an incident it caused (fixesIncident), and, when only its outcome "
            + "says it was rolled back, the next succeeded deployment to that environment. Median and 90th percentile "
            + "(nearest rank) of the restored ones; those not restored by a deployment yet are counted as open.",
        Dora: "the time it takes to recover from a deployment that fails and requires immediate intervention",
        Note: "Restoration is read from deployments only: a failure resolved without a deployment (a flag, a restart) "
            + "leaves its deployment open here, while MTTR counts it."
    );

    public static readonly Definition ReworkRate = new(
        "deployment-rework-rate",
        "Deployment rework rate",
        "Production deployments that were unplanned and happened because of an incident ÷ production deployments "
            + "that went live, in the bucket of their finish. Unplanned: a succeeded rollback deployment, or a "
            + "deployment reported as fixing a counting incident (fixesIncident in the API, the CSV import or a "
            + "GitHub deployment's payload). The denominator is succeeded or rolled back deployments plus succeeded "
            + "rollback deployments.",
        Dora: "the ratio of deployments that are unplanned but happen as a result of an incident in production",
        Note: "A fix counts as rework only when its pipeline says which incident it fixes."
    );

    public static readonly Definition TimeToRestore = new(
        "time-to-restore",
        "Time to restore (MTTR)",
        "Over failures that started in the bucket and are resolved: mean, median and 90th percentile (nearest rank: "
            + "the "
            + "⌈0.9 n⌉-th smallest) of (resolved − impact start). Open failures are counted, not dropped.",
        Note: OwnRecoveryFigure
            + " DORA called its fourth key \"time to restore service\" until 2023; this is that older figure."
    );

    public static readonly Definition TimeToRollBack = new(
        "time-to-roll-back",
        "Time to roll back",
        "Median duration (finish − start) of succeeded production rollback deployments (kind rollback) in the bucket."
    );

    public static readonly Definition ShelfTime = new(
        "shelf-time",
        "Shelf time",
        "The value left on the shelf by manual promotion: for each version whose production deployment succeeded, the "
            + "time from its first successful deployment to the stage before production until that production "
            + "deployment "
            + "finished; median per bucket. Waiting now: versions that passed the stage before production and are not "
            + "in "
            + "production, nor overtaken there by a version that passed after them, with the age of the oldest."
    );

    public static readonly Definition DaysSinceHistory = new(
        "days-since-history",
        "Days-since history",
        "The wall's count as it stood at the end of each local day, dropping to 0 on each day with a counting catch "
            + "(each catch is marked). Before the first catch on record there is no value."
    );

    public static IReadOnlyList<Definition> All { get; } =
    [
        DaysSince,
        Record,
        Mtbf,
        Mttr,
        Buckets,
        CatchRatio,
        DeploymentFrequency,
        LeadTime,
        ChangeFailureRate,
        FailedDeploymentRecovery,
        ReworkRate,
        TimeToRestore,
        TimeToRollBack,
        ShelfTime,
        DaysSinceHistory,
    ];
}
