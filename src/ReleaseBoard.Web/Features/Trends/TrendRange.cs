using System.Globalization;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// The filters a trend is asked with, from a URL or the API: range (30d, 90d, 12m or custom dates) and bucket size.
/// One parser for both, so a shared link and an API call mean the same thing.
/// </summary>
public sealed record TrendRange(string Preset, DateOnly From, DateOnly To, BucketSize Bucket)
{
    public const string Last30Days = "30d",
        Last90Days = "90d",
        Last12Months = "12m",
        Custom = "custom";
    public static readonly IReadOnlyList<string> Presets = [Last30Days, Last90Days, Last12Months, Custom];

    /// <summary>
    /// Almost ten years of weeks: beyond that a chart says nothing a monthly one does not. 512 keeps the bucket search
    /// in the database nine CASEs deep, within SQL Server's limit of ten.
    /// </summary>
    public const int MaxBuckets = 512;

    /// <summary>Dates a trend may name: far enough apart for any real history, far from the calendar's edges.</summary>
    public static readonly DateOnly Earliest = new(1970, 1, 1),
        Latest = new(2199, 12, 31);

    /// <summary>
    /// Reads the filters. <paramref name="from"/> is inclusive and <paramref name="to"/> exclusive (ISO dates, local to
    /// the team); a preset ends today. Errors are per field, for a problem+json answer or the page.
    /// </summary>
    public static (TrendRange? Range, Dictionary<string, string[]> Errors) Parse(
        string? range,
        string? from,
        string? to,
        string? bucket,
        DateOnly today
    )
    {
        var errors = new Dictionary<string, string[]>();
        var size = BucketSize.Week;
        if (!string.IsNullOrEmpty(bucket))
        {
            if (bucket.Equals("week", StringComparison.OrdinalIgnoreCase))
                size = BucketSize.Week;
            else if (bucket.Equals("month", StringComparison.OrdinalIgnoreCase))
                size = BucketSize.Month;
            else
                errors["bucket"] = ["Use \"week\" or \"month\"."];
        }

        var preset = string.IsNullOrEmpty(range)
            ? (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(to) ? Last90Days : Custom)
            : range.ToLowerInvariant();
        DateOnly start = default,
            end = today.AddDays(1);
        switch (preset)
        {
            case Last30Days:
                start = end.AddDays(-30);
                break;
            case Last90Days:
                start = end.AddDays(-90);
                break;
            case Last12Months:
                start = end.AddMonths(-12);
                break;
            case Custom:
                if (!TryDate(from, out start))
                    errors["from"] = ["Give the first day as an ISO date, e.g. 2026-01-01."];
                if (string.IsNullOrEmpty(to))
                    end = today.AddDays(1);
                else if (!TryDate(to, out end))
                    errors["to"] = ["Give the day after the last one as an ISO date, e.g. 2026-04-01."];
                if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && end <= start)
                    errors["to"] = ["The range must end after it starts."];
                foreach (var (field, date) in new[] { ("from", start), ("to", end) })
                    if (!errors.ContainsKey(field) && (date < Earliest || date > Latest))
                        errors[field] = [$"Use a date between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}."];
                break;
            default:
                errors["range"] = [$"Use one of {string.Join(", ", Presets)}."];
                break;
        }
        if (errors.Count == 0)
        {
            var buckets =
                size == BucketSize.Week
                    ? (end.DayNumber - start.DayNumber) / 7 + 1
                    : (end.Year - start.Year) * 12 + end.Month - start.Month + 1;
            if (buckets > MaxBuckets)
                errors["from"] =
                [
                    $"That range has {buckets} buckets; at most {MaxBuckets} fit one trend. Use months, or a shorter "
                        + $"range.",
                ];
        }
        return errors.Count == 0 ? (new TrendRange(preset, start, end, size), errors) : (null, errors);
    }

    private static bool TryDate(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
