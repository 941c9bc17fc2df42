using System.Globalization;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Times people type into forms: wall-clock time in the team's zone, as a datetime-local input gives it
/// ("yyyy-MM-ddTHH:mm"), because that is how people think of when something happened.
/// </summary>
public static class LocalTimeInput
{
    public const string Format = "yyyy-MM-ddTHH:mm";

    /// <summary>Now, in the zone, as the input shows it.</summary>
    public static string Now(TimeProvider clock, TimeZoneInfo zone) =>
        TimeZoneInfo
            .ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone)
            .ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>
    /// Local wall-clock time to UTC; a time skipped by a daylight-saving jump is refused rather than guessed.
    /// </summary>
    public static bool TryParse(string? text, TimeZoneInfo zone, out DateTime utc, out string error)
    {
        utc = default;
        error = "";
        if (
            !DateTime.TryParseExact(
                text,
                [Format, "yyyy-MM-ddTHH:mm:ss"],
                CultureInfo.InvariantCulture,
                DateTimeStyles.None,
                out var local
            )
        )
        {
            error = "Give a date and time, e.g. 2026-03-14 09:30.";
            return false;
        }
        if (zone.IsInvalidTime(local))
        {
            error = $"{local:yyyy-MM-dd HH:mm} does not exist in {zone.Id}: the clocks jumped forward then.";
            return false;
        }
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // The hour the clocks go back happens twice: take its first occurrence, so "now" typed in the second one is
        // never read as an hour in the future (and refused as such).
        utc = zone.IsAmbiguousTime(local)
            ? DateTime.SpecifyKind(local - zone.GetAmbiguousTimeOffsets(local).Max(), DateTimeKind.Utc)
            : TimeZoneInfo.ConvertTimeToUtc(local, zone);
        return true;
    }
}
