using System.Globalization;
using System.Text;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// The table view of a trend report, column by column. The page's table and the CSV export (page and API) are both
/// drawn from these columns, so the CSV holds exactly what the table shows, numerators and denominators included.
/// </summary>
public static class TrendTable
{
    public sealed record Column(string Header, Func<BucketFigures, string> Cell);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IReadOnlyList<Column> Columns { get; } =
    [
        new("Bucket start (local)", b => b.Bucket.LocalStart.ToString("yyyy-MM-dd", Invariant)),
        new("Bucket end (local, exclusive)", b => b.Bucket.LocalEnd.ToString("yyyy-MM-dd", Invariant)),
        new("From (UTC)", b => b.Bucket.FromUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant)),
        new("To (UTC)", b => b.Bucket.ToUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant)),
        new("Partial", b => b.IsPartial ? "yes" : "no"),
        new("Measured to (UTC)", b => b.Reliability.ToUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant)),
        new("Failures", b => Int(b.Reliability.Failures)),
        new("Open failures", b => Int(b.Reliability.Open)),
        new("Downtime (h)", b => Hours(b.Reliability.Downtime)),
        new("MTBF (h)", b => Hours(b.Reliability.Mtbf)),
        new("MTTR mean (min)", b => Minutes(b.Reliability.MttrMean)),
        new("MTTR median (min)", b => Minutes(b.Reliability.MttrMedian)),
        new("MTTR p90 (min)", b => Minutes(b.Reliability.MttrP90)),
        new("Resolved failures", b => Int(b.Reliability.Resolved)),
        new("Catches", b => Int(b.Catches)),
        new("Catch ratio", b => Fraction(b.CatchRatio.Value)),
        new("Catch ratio numerator", b => Int(b.CatchRatio.Numerator)),
        new("Catch ratio denominator", b => Int(b.CatchRatio.Denominator)),
        new("Deployments per day", b => Number(b.DeploymentsPerDay)),
        new("Succeeded deployments", b => Int(b.SucceededDeployments)),
        new("Days counted", b => Int(b.DaysCounted)),
        new("Lead time median (h)", b => Hours(b.LeadTime.Median)),
        new("Lead time samples", b => Int(b.LeadTime.Samples)),
        new("Change failure rate", b => Fraction(b.ChangeFailureRate.Value)),
        new("Failed changes", b => Int(b.ChangeFailureRate.Numerator)),
        new("Deployments that count", b => Int(b.ChangeFailureRate.Denominator)),
        new("Failed deployment recovery median (h)", b => Hours(b.FailedDeploymentRecovery.Median)),
        new("Failed deployment recovery p90 (h)", b => Hours(b.FailedDeploymentRecovery.P90)),
        new("Failed deployments restored", b => Int(b.FailedDeploymentRecovery.Restored)),
        new("Failed deployments open", b => Int(b.FailedDeploymentRecovery.Open)),
        new("Deployment rework rate", b => Fraction(b.ReworkRate.Value)),
        new("Rework deployments", b => Int(b.ReworkRate.Numerator)),
        new("Production deployments live", b => Int(b.ReworkRate.Denominator)),
        new("Time to roll back median (min)", b => Minutes(b.TimeToRollBack.Median)),
        new("Rollbacks", b => Int(b.TimeToRollBack.Samples)),
        new("Shelf time median (h)", b => Hours(b.ShelfTime.Median)),
        new("Shelf time samples", b => Int(b.ShelfTime.Samples)),
        new("Days since a catch (end)", b => b.DaysSinceAtEnd is { } d ? Int(d) : ""),
    ];

    /// <summary>
    /// RFC 4180 CSV: a header row, then one row per bucket. Undefined figures are empty cells, never 0.
    /// </summary>
    public static string ToCsv(TrendReport report)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(",", Columns.Select(c => Escape(c.Header)))).Append("\r\n");
        foreach (var bucket in report.Buckets)
            csv.Append(string.Join(",", Columns.Select(c => Escape(c.Cell(bucket))))).Append("\r\n");
        return csv.ToString();
    }

    public static string FileName(TrendReport report) =>
        $"releaseboard-trends-{report.Scope.TeamSlug ?? "all-teams"}"
        + (report.Scope.ServiceSlug is { } s ? "-" + s : "")
        + $"-{report.From:yyyy-MM-dd}-{report.To:yyyy-MM-dd}-{report.BucketSize.ToString().ToLowerInvariant()}.csv";

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    private static string Int(int value) => value.ToString(Invariant);

    private static string Number(double value) => Math.Round(value, 3).ToString("0.###", Invariant);

    private static string Fraction(double? value) =>
        value is { } v ? Math.Round(v, 4).ToString("0.####", Invariant) : "";

    private static string Hours(TimeSpan? value) =>
        value is { } v ? Math.Round(v.TotalHours, 2).ToString("0.##", Invariant) : "";

    private static string Minutes(TimeSpan? value) =>
        value is { } v ? Math.Round(v.TotalMinutes, 1).ToString("0.#", Invariant) : "";
}
