namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>
/// Calendar questions answered in a team's time zone: timestamps are stored in UTC, days are counted where people
/// live, so daylight-saving changes never make a day count twice or not at all.
/// </summary>
public static class TeamTime
{
    /// <summary>A team's zone by its IANA id, validated when the catalog stored it.</summary>
    public static TimeZoneInfo Zone(string timeZoneId) => TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);

    public static DateTime Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(Local(utc, zone));

    // A catch stamped a little in the future (a reporter's clock ahead of ours) is today, not a negative count.
    public static int DaysBetween(DateOnly from, DateOnly to) => Math.Max(0, to.DayNumber - from.DayNumber);

    /// <summary>Whole calendar days from the local date of <paramref name="thenUtc"/> to today's.</summary>
    public static int DaysSince(DateTime thenUtc, DateTime nowUtc, TimeZoneInfo zone) =>
        DaysBetween(LocalDate(thenUtc, zone), LocalDate(nowUtc, zone));

    /// <summary>"Nov 30 14:02" in the zone: a time on a page that names its zone once nearby.</summary>
    public static string Stamp(DateTime utc, TimeZoneInfo zone) =>
        Local(utc, zone).ToString("MMM d HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"Nov 30 14:02 Europe/Berlin": a time that names its zone itself.</summary>
    public static string StampWithZone(DateTime utc, TimeZoneInfo zone) => $"{Stamp(utc, zone)} {zone.Id}";
}
