using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Windows;

/// <summary>One weekly span of local time, from a day and time to a day and time (the end not included).</summary>
public sealed record WeeklySpan(DayOfWeek StartDay, TimeOnly Start, DayOfWeek EndDay, TimeOnly End);

/// <summary>
/// A recurring window in a team's local time, written as people say it: "Mon-Thu 09:00-16:00" (each of those days;
/// an end at or before the start runs past midnight) or "Fri 16:00 - Mon 08:00" (one span across days).
/// </summary>
public sealed partial record WindowRule(string Text, IReadOnlyList<WeeklySpan> Spans)
{
    public const int MaxLength = 100;

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static bool TryParse(string? text, out WindowRule rule, out string error)
    {
        rule = null!;
        error = "";
        // Dashes as typed in documents (en, em) read as the hyphen.
        var trimmed = Regex.Replace(text?.Trim() ?? "", @"\s+", " ").Replace('–', '-').Replace('—', '-');
        if (trimmed.Length == 0)
        {
            error = "Give the window, e.g. \"Mon-Thu 09:00-16:00\" or \"Fri 16:00 - Mon 08:00\".";
            return false;
        }
        if (trimmed.Length > MaxLength)
        {
            error = $"A window is at most {MaxLength} characters.";
            return false;
        }
        if (SpanPattern().Match(trimmed) is { Success: true } span)
        {
            if (
                !TryDay(span.Groups["d1"].Value, out var d1)
                || !TryDay(span.Groups["d2"].Value, out var d2)
                || !TryTime(span.Groups["t1"].Value, out var t1)
                || !TryTime(span.Groups["t2"].Value, out var t2)
            )
            {
                error = $"\"{trimmed}\" has a day or time that is not one (days Mon-Sun, times 00:00-23:59).";
                return false;
            }
            if (d1 == d2 && t2 <= t1)
            {
                // A week minus an hour is almost always a slip of the keyboard.
                error = "The window ends before it starts on the same day; a window across days names two days.";
                return false;
            }
            rule = new WindowRule(trimmed, [new WeeklySpan(d1, t1, d2, t2)]);
            return true;
        }
        if (DailyPattern().Match(trimmed) is { Success: true } daily)
        {
            if (!TryDays(daily.Groups["days"].Value, out var days))
            {
                error =
                    $"\"{daily.Groups["days"].Value}\" are not days: use Mon-Sun, ranges (Mon-Thu), lists "
                    + "(Mon,Wed) or daily.";
                return false;
            }
            var untilMidnight = daily.Groups["t2"].Value == "24:00";
            var t2 = TimeOnly.MinValue;
            if (
                !TryTime(daily.Groups["t1"].Value, out var t1)
                || !(untilMidnight || TryTime(daily.Groups["t2"].Value, out t2))
            )
            {
                error = $"\"{trimmed}\" has a time that is not one (00:00-23:59, or 24:00 as an end).";
                return false;
            }
            if (t1 == t2 && !(untilMidnight && t1 == TimeOnly.MinValue))
            {
                error = "The window starts and ends at the same time.";
                return false;
            }
            // An end at or before the start runs into the next day.
            rule = new WindowRule(
                trimmed,
                days.Select(d => new WeeklySpan(d, t1, t2 > t1 ? d : (DayOfWeek)(((int)d + 1) % 7), t2)).ToList()
            );
            return true;
        }
        error = $"\"{trimmed}\" is not a window: write \"Mon-Thu 09:00-16:00\" or \"Fri 16:00 - Mon 08:00\".";
        return false;
    }

    /// <summary>How a window reads in the audit trail and in comparisons: "deny Fri 16:00 - Mon 08:00 (why)".</summary>
    public static string Describe(WindowKind kind, string rule, string? reason) =>
        $"{(kind == WindowKind.Allow ? "allow" : "deny")} {rule}" + (reason is null ? "" : $" ({reason})");

    public static WindowRule Parse(string text) =>
        TryParse(text, out var rule, out var error) ? rule : throw new FormatException(error);

    private static bool TryDay(string text, out DayOfWeek day)
    {
        var key = text.Trim().ToLowerInvariant();
        var index = Array.FindIndex(DayNames, n => key.Length >= 3 && n == key[..3] && IsDayWord(key));
        day = index < 0 ? default : (DayOfWeek)index;
        return index >= 0;
    }

    private static bool IsDayWord(string key) =>
        key.Length == 3
        || CultureInfo.InvariantCulture.DateTimeFormat.DayNames.Any(n =>
            n.Equals(key, StringComparison.OrdinalIgnoreCase)
        );

    private static bool TryDays(string text, out List<DayOfWeek> days)
    {
        days = [];
        var key = text.Trim().ToLowerInvariant();
        if (key is "daily" or "every day")
        {
            days = [.. Enum.GetValues<DayOfWeek>()];
            return true;
        }
        if (key == "weekdays")
            key = "mon-fri";
        else if (key is "weekends" or "weekend")
            key = "sat-sun";
        foreach (var part in key.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || !TryDay(range[0], out var first))
                return false;
            var last = first;
            if (range.Length == 2 && !TryDay(range[1], out last))
                return false;
            for (var d = first; ; d = (DayOfWeek)(((int)d + 1) % 7))
            {
                if (!days.Contains(d))
                    days.Add(d);
                if (d == last)
                    break;
            }
        }
        return days.Count > 0;
    }

    private static bool TryTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    [GeneratedRegex(@"^(?<d1>[A-Za-z]+) (?<t1>\d{1,2}:\d{2}) ?- ?(?<d2>[A-Za-z]+) (?<t2>\d{1,2}:\d{2})$")]
    private static partial Regex SpanPattern();

    [GeneratedRegex(@"^(?<days>[A-Za-z][A-Za-z ,\-]*?) (?<t1>\d{1,2}:\d{2}) ?- ?(?<t2>\d{1,2}:\d{2})$")]
    private static partial Regex DailyPattern();
}
