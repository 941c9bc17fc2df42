using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// What each trend chart says under it, and instead of it when there is nothing to draw: an empty range says so
/// rather than drawing zeros.
/// </summary>
public static class TrendCaptions
{
    public sealed record Text(string? Empty, string Caption);

    public static Text Reliability(TrendReport report)
    {
        var failures = report.Buckets.Sum(b => b.Reliability.Failures);
        var open = report.Buckets.Sum(b => b.Reliability.Open);
        var downtime = report.Buckets.Aggregate(TimeSpan.Zero, (sum, b) => sum + b.Reliability.Downtime);
        return new(
            failures == 0 ? "No failures in this range." : null,
            $"{failures} failures ({open} still open), {DurationText.Format(downtime)} of downtime in the range. "
                + "Gaps are buckets without failures."
        );
    }

    public static Text DeploymentFrequency(TrendReport report)
    {
        var succeeded = report.Buckets.Sum(b => b.SucceededDeployments);
        return new(
            succeeded == 0 ? "No succeeded production deployment in this range." : null,
            $"{succeeded} succeeded production deployments / {report.Buckets.Sum(b => b.DaysCounted)} days"
        );
    }

    public static Text LeadTime(TrendReport report) =>
        new(
            report.Buckets.All(b => b.LeadTime.Samples == 0)
                ? "No production deployment with a commit time in this range."
                : null,
            $"Medians over {report.Buckets.Sum(b => b.LeadTime.Samples)} deployments"
        );

    public static Text ChangeFailureRate(TrendReport report) =>
        new(
            report.Buckets.All(b => b.ChangeFailureRate.Denominator == 0)
                ? "No production deployment went live in this range."
                : null,
            Ratio(
                "failed changes",
                "deployments that count",
                report.Buckets.Sum(b => b.ChangeFailureRate.Numerator),
                report.Buckets.Sum(b => b.ChangeFailureRate.Denominator)
            )
        );

    public static Text TimeToRestore(TrendReport report)
    {
        var resolved = report.Buckets.Sum(b => b.Reliability.Resolved);
        var empty =
            resolved > 0 ? null
            : report.Buckets.Sum(b => b.Reliability.Failures) == 0 ? "No failures in this range."
            : "No failure in this range is resolved yet.";
        return new(empty, $"{resolved} resolved failures, {report.Buckets.Sum(b => b.Reliability.Open)} still open");
    }

    public static Text FailedDeploymentRecovery(TrendReport report)
    {
        var restored = report.Buckets.Sum(b => b.FailedDeploymentRecovery.Restored);
        var open = report.Buckets.Sum(b => b.FailedDeploymentRecovery.Open);
        var empty =
            restored > 0 ? null
            : open == 0 ? "No failed deployment in this range."
            : "No failed deployment in this range is restored by a deployment yet.";
        return new(empty, $"{restored} failed deployments restored by a deployment, {open} not restored yet");
    }

    public static Text ReworkRate(TrendReport report) =>
        new(
            report.Buckets.All(b => b.ReworkRate.Denominator == 0)
                ? "No production deployment went live in this range."
                : null,
            Ratio(
                "rework deployments",
                "production deployments",
                report.Buckets.Sum(b => b.ReworkRate.Numerator),
                report.Buckets.Sum(b => b.ReworkRate.Denominator)
            )
        );

    public static Text CatchRatio(TrendReport report) =>
        new(
            report.Buckets.All(b => b.CatchRatio.Denominator == 0) ? "No catches and no failures in this range." : null,
            Ratio(
                "catches",
                "catches + failures",
                report.Buckets.Sum(b => b.CatchRatio.Numerator),
                report.Buckets.Sum(b => b.CatchRatio.Denominator)
            )
        );

    public static Text ShelfTime(TrendReport report) =>
        new(
            report.Buckets.All(b => b.ShelfTime.Samples == 0)
                ? "No version went from pre-production to production in this range."
                : null,
            $"Medians over {report.Buckets.Sum(b => b.ShelfTime.Samples)} versions"
        );

    public static Text TimeToRollBack(TrendReport report) =>
        new(
            report.Buckets.All(b => b.TimeToRollBack.Samples == 0) ? "No rollback in this range." : null,
            $"Medians over {report.Buckets.Sum(b => b.TimeToRollBack.Samples)} rollbacks"
        );

    public static Text DaysSince(TrendReport report) =>
        new(
            report.DaysSince.All(p => p.Days is null)
                ? "No counting catch on record up to the end of this range."
                : null,
            $"{report.CatchMarks.Count} catches in this range, each marked"
        );

    private static string Ratio(string numerator, string denominator, int n, int d) =>
        d == 0
            ? $"0 {numerator} / 0 {denominator}"
            : $"{n} {numerator} / {d} {denominator} = {100.0 * n / d:0.#} % over the range";
}
