using System.Globalization;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// apexcharts options for each chart of the trends page, built from one <see cref="TrendReport"/>. Undefined figures
/// stay null, which apexcharts draws as a gap: a week without failures has no MTBF, not an MTBF of 0.
/// </summary>
public static class TrendCharts
{
    /// <summary>More points than this and a line is thinned (min/max per group) before it travels.</summary>
    public const int MaxPointsPerSeries = 400;

    public const string Mtbf = "MTBF",
        Mttr = "MTTR (mean)",
        Failures = "Failures";

    /// <summary>
    /// MTBF and MTTR as lines, failures as bars on their own hidden axis, scaled so the bars stay in the lower third
    /// and carry their count as a label: a bar's height should never be read against the hours axis.
    /// </summary>
    public static object Reliability(TrendReport report) =>
        Chart(
            report,
            [
                Series(Mtbf, "line", report.Buckets.Select(b => Round(b.Reliability.Mtbf?.TotalHours))),
                Series(Mttr, "line", report.Buckets.Select(b => Round(b.Reliability.MttrMean?.TotalMinutes))),
                // A bucket without failures gets no bar (and no "0" label) rather than a bar of height 0.
                Series(
                    Failures,
                    "column",
                    report.Buckets.Select(b => b.Reliability.Failures == 0 ? null : (double?)b.Reliability.Failures)
                ),
            ],
            [
                new
                {
                    seriesName = Mtbf,
                    title = new { text = "MTBF" },
                    rbFormat = "hours",
                    min = 0,
                },
                new
                {
                    seriesName = Mttr,
                    title = new { text = "MTTR" },
                    rbFormat = "minutes",
                    opposite = true,
                    min = 0,
                },
                new
                {
                    seriesName = Failures,
                    rbFormat = "count",
                    opposite = true,
                    show = false,
                    min = 0,
                    max = Math.Max(1, report.Buckets.Max(b => b.Reliability.Failures)) * 3,
                },
            ],
            colors: ["#4dd0e1", "#ffb74d", "#ef5350"],
            dataLabels: new
            {
                enabled = true,
                enabledOnSeries = new[] { 2 },
                style = new { colors = new[] { "#ffffff" } },
                background = new { enabled = false },
                offsetY = -4,
            }
        );

    public static object DeploymentFrequency(TrendReport report) =>
        Single(
            report,
            "Deployments per day",
            "column",
            "perDay",
            "#81c784",
            report.Buckets.Select(b => Round(b.DeploymentsPerDay))
        );

    public static object LeadTime(TrendReport report) =>
        Single(
            report,
            "Lead time (median)",
            "line",
            "hours",
            "#64b5f6",
            report.Buckets.Select(b => Round(b.LeadTime.Median?.TotalHours))
        );

    public static object ChangeFailureRate(TrendReport report) =>
        Single(
            report,
            "Change failure rate",
            "line",
            "percent",
            "#ef5350",
            report.Buckets.Select(b => Round(b.ChangeFailureRate.Value, 4))
        );

    public static object TimeToRestore(TrendReport report) =>
        Chart(
            report,
            [
                Series(
                    "MTTR median",
                    "line",
                    report.Buckets.Select(b => Round(b.Reliability.MttrMedian?.TotalMinutes))
                ),
                Series("MTTR p90", "line", report.Buckets.Select(b => Round(b.Reliability.MttrP90?.TotalMinutes))),
            ],
            [new { rbFormat = "minutes", min = 0 }],
            colors: ["#ffb74d", "#a1887f"]
        );

    public static object FailedDeploymentRecovery(TrendReport report) =>
        Chart(
            report,
            [
                Series(
                    "Recovery median",
                    "line",
                    report.Buckets.Select(b => Round(b.FailedDeploymentRecovery.Median?.TotalHours))
                ),
                Series(
                    "Recovery p90",
                    "line",
                    report.Buckets.Select(b => Round(b.FailedDeploymentRecovery.P90?.TotalHours))
                ),
            ],
            [new { rbFormat = "hours", min = 0 }],
            colors: ["#f06292", "#a1887f"]
        );

    public static object ReworkRate(TrendReport report) =>
        Single(
            report,
            "Deployment rework rate",
            "line",
            "percent",
            "#ff8a65",
            report.Buckets.Select(b => Round(b.ReworkRate.Value, 4))
        );

    public static object CatchRatio(TrendReport report) =>
        Single(
            report,
            "Catch ratio",
            "line",
            "percent",
            "#ba68c8",
            report.Buckets.Select(b => Round(b.CatchRatio.Value, 4))
        );

    public static object ShelfTime(TrendReport report) =>
        Single(
            report,
            "Shelf time (median)",
            "line",
            "hours",
            "#fff176",
            report.Buckets.Select(b => Round(b.ShelfTime.Median?.TotalHours))
        );

    public static object TimeToRollBack(TrendReport report) =>
        Single(
            report,
            "Time to roll back (median)",
            "line",
            "minutes",
            "#4db6ac",
            report.Buckets.Select(b => Round(b.TimeToRollBack.Median?.TotalMinutes))
        );

    /// <summary>The days-since count per day (thinned if long) and a marker at each catch.</summary>
    public static object DaysSince(TrendReport report)
    {
        var line = Downsampler.MinMax(
            report.DaysSince.Select(p => new Downsampler.Point(Epoch(p.Date), p.Days)).ToList(),
            MaxPointsPerSeries
        );
        var catches = report.CatchMarks.GroupBy(c => c.Date).Select(g => new object?[] { Epoch(g.Key), 0 }).ToList();
        return new
        {
            chart = Base(),
            theme = new { mode = "dark" },
            colors = new[] { "#4dd0e1", "#ef5350" },
            series = new object[]
            {
                new
                {
                    name = "Days since a catch",
                    type = "area",
                    data = line.Select(p => new object?[] { p.X, p.Y }).ToList(),
                },
                new
                {
                    name = "Catch",
                    type = "scatter",
                    data = catches,
                },
            },
            stroke = new { width = new[] { 2, 0 }, curve = "stepline" },
            fill = new { opacity = new[] { 0.25, 1 } },
            markers = new { size = new[] { 0, 7 } },
            xaxis = new { type = "datetime", labels = new { datetimeUTC = true } },
            yaxis = new object[] { new { rbFormat = "days", min = 0 } },
            grid = Grid(),
            legend = new { show = true },
            dataLabels = new { enabled = false },
        };
    }

    private static object Single(
        TrendReport report,
        string name,
        string type,
        string format,
        string color,
        IEnumerable<double?> values
    ) => Chart(report, [Series(name, type, values)], [new { rbFormat = format, min = 0 }], [color]);

    private static object Chart(
        TrendReport report,
        object[] series,
        object[] yaxis,
        string[] colors,
        object? dataLabels = null
    ) =>
        new
        {
            chart = Base(),
            theme = new { mode = "dark" },
            colors,
            series,
            xaxis = new
            {
                categories = Labels(report),
                tickPlacement = "on",
                labels = new { rotate = -45, hideOverlappingLabels = true },
            },
            yaxis,
            stroke = new
            {
                width = series.Length == 3 ? new[] { 3, 3, 0 } : Enumerable.Repeat(3, series.Length).ToArray(),
                curve = "straight",
            },
            markers = new { size = 3 },
            grid = Grid(),
            legend = new { show = series.Length > 1 },
            dataLabels = dataLabels ?? new { enabled = false },
            plotOptions = new { bar = new { columnWidth = "60%" } },
        };

    private static object Series(string name, string type, IEnumerable<double?> values) =>
        new
        {
            name,
            type,
            data = values.ToList(),
        };

    private static object Base() =>
        new
        {
            background = "transparent",
            toolbar = new { show = false },
            zoom = new { enabled = false },
            animations = new { enabled = false },
            fontFamily = "Roboto, Helvetica, Arial, sans-serif",
        };

    private static object Grid() => new { borderColor = "rgba(255,255,255,0.12)" };

    public static IReadOnlyList<string> Labels(TrendReport report)
    {
        var spansYears = report.From.Year != report.To.AddDays(-1).Year;
        var format =
            report.BucketSize == BucketSize.Month ? "MMM yyyy"
            : spansYears ? "d MMM yy"
            : "d MMM";
        return report.Buckets.Select(b => b.Bucket.LocalStart.ToString(format, CultureInfo.InvariantCulture)).ToList();
    }

    private static long Epoch(DateOnly date) =>
        new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static double? Round(double? value, int digits = 2) => value is { } v ? Math.Round(v, digits) : null;
}
