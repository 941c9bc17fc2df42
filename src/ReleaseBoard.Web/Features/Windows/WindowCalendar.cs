using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Windows;

/// <summary>An interval of real time, [Start, End) in UTC.</summary>
public readonly record struct UtcInterval(DateTime Start, DateTime End)
{
    public bool Contains(DateTime utc) => Start <= utc && utc < End;
}

/// <summary>A recurring window of an environment, with the reason a deny window gives.</summary>
public sealed record EnvironmentWindow(int Id, WindowKind Kind, WindowRule Rule, string? Reason);

/// <summary>A one-off freeze: for an environment, a team or everyone.</summary>
public sealed record FreezeSpan(int Id, UtcInterval When, string Reason, string Scope);

/// <summary>Whether promotion may happen on its own now, and when that changes.</summary>
/// <param name="NextOpening">Null when open, or when no opening comes within the search horizon.</param>
/// <param name="ClosesAt">When an open window closes; null when nothing closes it within the horizon.</param>
/// <param name="FrozenBy">The deny window or freeze in force, for "frozen" on the wall and the pipelines page.</param>
public sealed record WindowState(bool Open, DateTime? NextOpening, DateTime? ClosesAt, string? Why, string? FrozenBy)
{
    public static readonly WindowState AlwaysOpen = new(true, null, null, null, null);

    /// <summary>The team's zone, to say the times as its people read them.</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    public bool Frozen => FrozenBy is not null;

    /// <summary>False when no window or freeze applies at all: nothing to show.</summary>
    public bool Windowed { get; init; } = true;

    /// <summary>"open until …" or "closed: … opens …", for the pages.</summary>
    public string Summary() =>
        Open ? "Window open" + (ClosesAt is { } closes ? $" until {Say(closes)}" : "") : Closed();

    /// <summary>"2026-12-07 09:00 Europe/Berlin (08:00 UTC)".</summary>
    public string Say(DateTime utc) =>
        $"{TimeZoneInfo.ConvertTimeFromUtc(utc, Zone):yyyy-MM-dd HH:mm} {Zone.Id} ({utc:HH:mm} UTC)";

    /// <summary>Why it is closed and when it opens, in one sentence.</summary>
    public string Closed() =>
        $"Closed: {Why}; "
        + (
            NextOpening is { } opens ? $"opens {Say(opens)}." : $"no opening within {WindowCalendar.Horizon.Days} days."
        );
}

/// <summary>
/// The calendar of an environment's windows in its team's zone. Local times that a clock change skips move past the
/// gap; of a repeated time, whichever occurrence keeps the environment closed longer (the safe reading).
/// </summary>
public sealed class WindowCalendar(
    TimeZoneInfo zone,
    IReadOnlyList<EnvironmentWindow> windows,
    IReadOnlyList<FreezeSpan> freezes
)
{
    /// <summary>How far ahead the next opening is looked for.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(400);

    private static readonly TimeSpan Chunk = TimeSpan.FromDays(14);

    public bool HasRules => windows.Count > 0 || freezes.Count > 0;

    public WindowState At(DateTime nowUtc)
    {
        if (!HasRules)
            return WindowState.AlwaysOpen with { Zone = zone, Windowed = false };
        var intervals = Intervals(nowUtc - TimeSpan.FromDays(8), nowUtc + Chunk);
        var (open, why, frozenBy) = Evaluate(intervals, nowUtc);
        var state = open
            ? new WindowState(true, null, FirstChange(nowUtc, wantOpen: false), null, null)
            : new WindowState(false, FirstChange(nowUtc, wantOpen: true), null, why, frozenBy);
        return state with { Zone = zone };
    }

    /// <summary>The first moment after <paramref name="fromUtc"/> at which the window is (or is not) open.</summary>
    private DateTime? FirstChange(DateTime fromUtc, bool wantOpen)
    {
        for (var from = fromUtc; from < fromUtc + Horizon; from += Chunk)
        {
            var to = from + Chunk;
            // Intervals reach back far enough that one in force at "from" is known, forward past the chunk.
            var intervals = Intervals(from - TimeSpan.FromDays(8), to + TimeSpan.FromDays(1));
            var boundaries = intervals
                .SelectMany(i => new[] { i.When.Start, i.When.End })
                .Where(b => b > from && b <= to && b <= fromUtc + Horizon)
                .Distinct()
                .Order();
            foreach (var boundary in boundaries)
                if (Evaluate(intervals, boundary).Open == wantOpen)
                    return boundary;
        }
        return null;
    }

    private (bool Open, string? Why, string? FrozenBy) Evaluate(List<Occurrence> intervals, DateTime utc)
    {
        var freeze = intervals.FirstOrDefault(i => i.Kind == WindowKind.Deny && i.When.Contains(utc));
        if (freeze is not null)
            return (false, freeze.Describe, freeze.Describe);
        var allows = intervals.Where(i => i.Kind == WindowKind.Allow).ToList();
        if (windows.Any(w => w.Kind == WindowKind.Allow) && !allows.Any(i => i.When.Contains(utc)))
        {
            var rules = string.Join("; ", windows.Where(w => w.Kind == WindowKind.Allow).Select(w => w.Rule.Text));
            return (false, $"outside its deployment window ({rules})", null);
        }
        return (true, null, null);
    }

    private sealed record Occurrence(WindowKind Kind, UtcInterval When, string Describe);

    private List<Occurrence> Intervals(DateTime fromUtc, DateTime toUtc)
    {
        var result = new List<Occurrence>();
        foreach (var freeze in freezes)
            if (freeze.When.End > fromUtc && freeze.When.Start < toUtc)
                result.Add(new(WindowKind.Deny, freeze.When, $"frozen ({freeze.Scope}): {freeze.Reason}"));
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(fromUtc, zone)).AddDays(-7);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(toUtc, zone)).AddDays(1);
        foreach (var window in windows)
        foreach (var span in window.Rule.Spans)
            for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
            {
                if (day.DayOfWeek != span.StartDay)
                    continue;
                var startLocal = day.ToDateTime(span.Start);
                var days = ((int)span.EndDay - (int)span.StartDay + 7) % 7;
                var endLocal = day.AddDays(days).ToDateTime(span.End);
                if (endLocal <= startLocal)
                    endLocal = endLocal.AddDays(7);
                // Allow windows open late and close early, deny windows start early and end late.
                var allow = window.Kind == WindowKind.Allow;
                var when = new UtcInterval(ToUtc(startLocal, later: allow), ToUtc(endLocal, later: !allow));
                if (when.End <= fromUtc || when.Start >= toUtc || when.End <= when.Start)
                    continue;
                var describe =
                    window.Kind == WindowKind.Deny
                        ? $"deny window {window.Rule.Text}{(window.Reason is { } r ? $": {r}" : "")}"
                        : window.Rule.Text;
                result.Add(new(window.Kind, when, describe));
            }
        return result;
    }

    /// <summary>A local time as an instant: skipped times move past the gap, repeated ones as asked.</summary>
    public DateTime ToUtc(DateTime local, bool later = false)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            var after = local;
            while (zone.IsInvalidTime(after))
                after = after.AddMinutes(1);
            return TimeZoneInfo.ConvertTimeToUtc(after, zone);
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            // The larger offset is the earlier instant.
            return DateTime.SpecifyKind(local - (later ? offsets.Min() : offsets.Max()), DateTimeKind.Utc);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
