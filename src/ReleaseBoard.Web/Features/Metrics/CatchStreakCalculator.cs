namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>What the big number on the wall says, and the record beside it.</summary>
/// <param name="DaysSince">Whole calendar days between the local date of the latest counting catch (or, with none, the
/// first recorded event) and today.</param>
/// <param name="RecordDays">The longest run between consecutive counting catches, the current run included.</param>
/// <param name="HasCatches">False: no counting catch yet, and <paramref
/// name="DaysSince"/> counts from the team's first recorded event.</param>
/// <param name="IsNewRecord">The current run is longer than every earlier run between catches.</param>
public sealed record CatchStreak(int DaysSince, int RecordDays, bool HasCatches, bool IsNewRecord, DateOnly Today)
{
    /// <summary>The longest run between catches before the current one.</summary>
    public int PreviousRecordDays { get; init; }

    /// <summary>Today is the day the current run passed the old record: the wall celebrates until midnight.</summary>
    public bool RecordBeatenToday => IsNewRecord && DaysSince == PreviousRecordDays + 1;
}

/// <summary>
/// Days since and record, as docs/metrics.md defines them: calendar days in the team's time zone, so a catch yesterday
/// at 23:50 shows 1 today, and daylight-saving changes never make a day count twice or not at all.
/// </summary>
public static class CatchStreakCalculator
{
    /// <param name="countingCatchesUtc">When each counting catch was caught (UTC), in any order.</param>
    /// <param name="firstRecordedEventUtc">The team's first recorded event
    /// of any kind, for the "no catches yet" count.</param>
    public static CatchStreak Calculate(
        IEnumerable<DateTime> countingCatchesUtc,
        DateTime? firstRecordedEventUtc,
        DateTime nowUtc,
        TimeZoneInfo zone
    )
    {
        var today = TeamTime.LocalDate(nowUtc, zone);
        var catchDays = countingCatchesUtc.Select(c => TeamTime.LocalDate(c, zone)).Distinct().Order().ToList();

        if (catchDays.Count == 0)
        {
            var start = firstRecordedEventUtc is { } first ? TeamTime.LocalDate(first, zone) : today;
            var run = TeamTime.DaysBetween(start, today);
            return new CatchStreak(run, run, HasCatches: false, IsNewRecord: false, today);
        }

        var previousBest = 0;
        for (var i = 1; i < catchDays.Count; i++)
            previousBest = Math.Max(previousBest, TeamTime.DaysBetween(catchDays[i - 1], catchDays[i]));

        var current = TeamTime.DaysBetween(catchDays[^1], today);
        var isNewRecord = catchDays.Count > 1 && current > previousBest;
        return new CatchStreak(current, Math.Max(previousBest, current), HasCatches: true, isNewRecord, today)
        {
            PreviousRecordDays = previousBest,
        };
    }
}
