namespace ReleaseBoard.Web.Features.Trends;

public enum BucketSize
{
    Week,
    Month,
}

/// <summary>
/// One bucket of a trend: whole local days [LocalStart, LocalEnd) in the team's time zone, and the real UTC instants
/// they span. The week in which clocks go back is 169 hours long, and that is the length the figures use.
/// </summary>
public sealed record Bucket(int Index, DateOnly LocalStart, DateOnly LocalEnd, DateTime FromUtc, DateTime ToUtc)
{
    public int CalendarDays => LocalEnd.DayNumber - LocalStart.DayNumber;
    public TimeSpan Length => ToUtc - FromUtc;
}

/// <summary>
/// Splits a range of local dates into weeks (Monday 00:00) or calendar months, in a time zone. Pure calendar logic.
/// </summary>
public static class BucketCalendar
{
    /// <summary>
    /// The buckets that cover [from, to): the range is widened to whole buckets, so the first week starts on the
    /// Monday on or before <paramref name="from"/> and every bucket is comparable with the others.
    /// </summary>
    public static IReadOnlyList<Bucket> Split(DateOnly from, DateOnly toExclusive, BucketSize size, TimeZoneInfo zone)
    {
        if (toExclusive <= from)
            throw new ArgumentException("The range must end after it starts.", nameof(toExclusive));

        var buckets = new List<Bucket>();
        var start = StartOfBucket(from, size);
        while (start < toExclusive)
        {
            var end = size == BucketSize.Week ? start.AddDays(7) : start.AddMonths(1);
            buckets.Add(
                new Bucket(buckets.Count, start, end, LocalMidnightToUtc(start, zone), LocalMidnightToUtc(end, zone))
            );
            start = end;
        }
        return buckets;
    }

    public static DateOnly StartOfBucket(DateOnly day, BucketSize size) =>
        size switch
        {
            BucketSize.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), // Monday = 0
            _ => new DateOnly(day.Year, day.Month, 1),
        };

    /// <summary>
    /// The instant a local day begins. In the few zones whose clocks jump at midnight, 00:00 does not exist that day;
    /// the day then begins at the first local minute that does.
    /// </summary>
    public static DateTime LocalMidnightToUtc(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(1);
        // For an ambiguous midnight (clocks went back at 00:00) the earlier instant, when the day really began.
        if (zone.IsAmbiguousTime(local))
        {
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>
    /// The index of the bucket an instant falls into, or -1 outside them all (binary search on the UTC edges).
    /// </summary>
    public static int IndexOf(IReadOnlyList<Bucket> buckets, DateTime utc)
    {
        int low = 0,
            high = buckets.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (utc < buckets[middle].FromUtc)
                high = middle - 1;
            else if (utc >= buckets[middle].ToUtc)
                low = middle + 1;
            else
                return middle;
        }
        return -1;
    }
}
