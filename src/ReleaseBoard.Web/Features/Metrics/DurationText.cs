namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>Durations as a person reads them across a room: one unit, sensible precision.</summary>
public static class DurationText
{
    public static string Format(TimeSpan? value, string whenMissing = "—")
    {
        if (value is not { } d)
            return whenMissing;
        return d.TotalMinutes switch
        {
            < 1 => $"{Math.Max(0, d.TotalSeconds):0} s",
            < 120 => $"{d.TotalMinutes:0} min",
            < 48 * 60 => $"{d.TotalHours:0.#} h",
            _ => $"{d.TotalDays:0.#} days",
        };
    }

    /// <summary>An age such as "3 h 12 min" or "2 days 4 h", for an open incident's banner.</summary>
    public static string Age(TimeSpan d)
    {
        if (d < TimeSpan.Zero)
            d = TimeSpan.Zero;
        if (d.TotalMinutes < 60)
            return $"{(int)d.TotalMinutes} min";
        if (d.TotalHours < 48)
            return $"{(int)d.TotalHours} h {d.Minutes} min";
        return $"{(int)d.TotalDays} days {d.Hours} h";
    }
}
