using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Tests.Features.Windows;

/// <summary>
/// Hand-worked in Europe/Berlin: CET is UTC+1, CEST UTC+2; in 2026 the clocks go forward on 29 March at 02:00 and
/// back on 25 October at 03:00.
/// </summary>
public class WindowCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTime Utc(string iso) =>
        DateTime.SpecifyKind(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static WindowCalendar Calendar(params (WindowKind Kind, string Rule)[] windows) => Calendar([], windows);

    private static WindowCalendar Calendar(FreezeSpan[] freezes, params (WindowKind Kind, string Rule)[] windows) =>
        new(
            Berlin,
            windows.Select((w, i) => new EnvironmentWindow(i + 1, w.Kind, WindowRule.Parse(w.Rule), "why")).ToList(),
            freezes
        );

    [Fact]
    public void Without_windows_or_freezes_it_is_always_open()
    {
        var state = Calendar().At(Utc("2026-12-05T12:00:00"));

        Assert.True(state.Open);
        Assert.Null(state.ClosesAt);
        Assert.Null(state.NextOpening);
    }

    [Fact]
    public void An_allow_window_opens_on_its_days_and_closes_at_its_local_end()
    {
        var calendar = Calendar((WindowKind.Allow, "Mon-Thu 09:00-16:00"));

        // Wednesday 2 December 10:00 CET: open until 16:00 CET = 15:00 UTC.
        var open = calendar.At(Utc("2026-12-02T09:00:00"));
        // Thursday 3 December 17:00 CET: closed until Monday 7 December 09:00 CET = 08:00 UTC.
        var closed = calendar.At(Utc("2026-12-03T16:00:00"));

        Assert.True(open.Open);
        Assert.Equal(Utc("2026-12-02T15:00:00"), open.ClosesAt);
        Assert.False(closed.Open);
        Assert.Equal(Utc("2026-12-07T08:00:00"), closed.NextOpening);
        Assert.Contains("Mon-Thu 09:00-16:00", closed.Why);
        Assert.Null(closed.FrozenBy);
    }

    [Fact]
    public void A_window_across_midnight_belongs_to_the_day_it_starts()
    {
        var calendar = Calendar((WindowKind.Deny, "daily 22:00-06:00"));

        // Wednesday 23:30 CET is inside Wednesday's night; it opens Thursday 06:00 CET = 05:00 UTC.
        var night = calendar.At(Utc("2026-12-02T22:30:00"));
        // Thursday 05:59 CET still inside it.
        var dawn = calendar.At(Utc("2026-12-03T04:59:00"));
        var day = calendar.At(Utc("2026-12-03T05:00:00"));

        Assert.False(night.Open);
        Assert.Equal(Utc("2026-12-03T05:00:00"), night.NextOpening);
        Assert.Contains("deny window daily 22:00-06:00: why", night.FrozenBy);
        Assert.False(dawn.Open);
        Assert.True(day.Open);
        Assert.Equal(Utc("2026-12-03T21:00:00"), day.ClosesAt);
    }

    [Theory]
    // Saturday 22:00 CET (21:00 UTC) to Sunday 04:00 CEST (02:00 UTC): five real hours.
    [InlineData("2026-03-28T22:00:00", "2026-03-29T02:00:00")]
    // Saturday 22:00 CEST (20:00 UTC) to Sunday 04:00 CET (03:00 UTC): seven real hours.
    [InlineData("2026-10-24T21:00:00", "2026-10-25T03:00:00")]
    public void A_night_window_across_the_clock_change_ends_at_the_local_time(string atUtc, string closesUtc)
    {
        var state = Calendar((WindowKind.Allow, "Sat 22:00-04:00")).At(Utc(atUtc));

        Assert.True(state.Open);
        Assert.Equal(Utc(closesUtc), state.ClosesAt);
    }

    [Fact]
    public void A_start_the_clock_skips_begins_after_the_gap_and_a_repeated_one_opens_at_its_later_occurrence()
    {
        var calendar = Calendar((WindowKind.Allow, "Sun 02:30-05:00"));

        // 29 March: 02:30 does not exist; it opens at 03:00 CEST = 01:00 UTC.
        var spring = calendar.At(Utc("2026-03-29T00:45:00"));
        // 25 October: 02:30 happens at 00:30 UTC (CEST) and 01:30 UTC (CET); an allow window waits for the second.
        var autumn = calendar.At(Utc("2026-10-25T00:40:00"));

        Assert.False(spring.Open);
        Assert.Equal(Utc("2026-03-29T01:00:00"), spring.NextOpening);
        Assert.False(autumn.Open);
        Assert.Equal(Utc("2026-10-25T01:30:00"), autumn.NextOpening);
    }

    [Fact]
    public void A_freeze_inside_an_allow_window_closes_it_for_the_freeze_only()
    {
        var freeze = new FreezeSpan(
            1,
            new UtcInterval(Utc("2026-12-02T12:00:00"), Utc("2026-12-02T13:00:00")),
            "database migration",
            "team payments"
        );
        var calendar = Calendar([freeze], (WindowKind.Allow, "Mon-Fri 09:00-17:00"));

        var before = calendar.At(Utc("2026-12-02T10:00:00"));
        var during = calendar.At(Utc("2026-12-02T12:30:00"));

        Assert.True(before.Open);
        Assert.Equal(Utc("2026-12-02T12:00:00"), before.ClosesAt);
        Assert.False(during.Open);
        Assert.Equal(Utc("2026-12-02T13:00:00"), during.NextOpening);
        Assert.Equal("frozen (team payments): database migration", during.FrozenBy);
    }

    [Fact]
    public void A_weekend_freeze_runs_from_friday_afternoon_to_monday_morning()
    {
        var calendar = Calendar((WindowKind.Deny, "Fri 16:00 - Mon 08:00"));

        // Friday 4 December 15:00 CET: open until 16:00 CET = 15:00 UTC.
        var friday = calendar.At(Utc("2026-12-04T14:00:00"));
        // Saturday noon: closed until Monday 7 December 08:00 CET = 07:00 UTC.
        var saturday = calendar.At(Utc("2026-12-05T11:00:00"));

        Assert.True(friday.Open);
        Assert.Equal(Utc("2026-12-04T15:00:00"), friday.ClosesAt);
        Assert.False(saturday.Open);
        Assert.Equal(Utc("2026-12-07T07:00:00"), saturday.NextOpening);
    }

    [Fact]
    public void The_next_opening_skips_a_deny_window_right_after_a_freeze_and_lands_inside_an_allow_window()
    {
        // A freeze until Friday 4 December 16:00 CET (15:00 UTC), where the weekend deny window begins.
        var freeze = new FreezeSpan(
            1,
            new UtcInterval(Utc("2026-12-01T00:00:00"), Utc("2026-12-04T15:00:00")),
            "year-end",
            "everyone"
        );
        var withDeny = Calendar(
            [freeze],
            (WindowKind.Deny, "Fri 16:00 - Mon 08:00"),
            (WindowKind.Allow, "weekdays 09:00-18:00")
        );
        var without = Calendar([freeze], (WindowKind.Allow, "weekdays 09:00-18:00"));

        var state = withDeny.At(Utc("2026-12-02T10:00:00"));

        Assert.False(state.Open);
        Assert.Equal(Utc("2026-12-07T08:00:00"), state.NextOpening); // Monday 09:00 CET
        Assert.Equal(Utc("2026-12-04T15:00:00"), without.At(Utc("2026-12-02T10:00:00")).NextOpening);
    }

    [Fact]
    public void A_window_includes_its_start_and_not_its_end()
    {
        var calendar = Calendar((WindowKind.Allow, "Mon-Thu 09:00-16:00"));

        Assert.True(calendar.At(Utc("2026-12-02T08:00:00")).Open); // 09:00 CET
        Assert.False(calendar.At(Utc("2026-12-02T07:59:59")).Open);
        Assert.False(calendar.At(Utc("2026-12-02T15:00:00")).Open); // 16:00 CET
    }

    [Fact]
    public void In_the_repeated_hour_a_deny_window_ends_at_the_later_occurrence()
    {
        // 25 October: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); the deny holds until the second.
        var calendar = Calendar((WindowKind.Deny, "daily 01:00-02:30"));

        var secondPass = calendar.At(Utc("2026-10-25T01:15:00")); // the clock reads 02:15 for the second time

        Assert.False(secondPass.Open);
        Assert.Equal(Utc("2026-10-25T01:30:00"), secondPass.NextOpening);
    }

    [Fact]
    public void No_opening_within_the_horizon_is_said_as_none()
    {
        var freeze = new FreezeSpan(
            1,
            new UtcInterval(Utc("2026-01-01T00:00:00"), Utc("2029-01-01T00:00:00")),
            "moratorium",
            "everyone"
        );

        var state = Calendar([freeze]).At(Utc("2026-12-02T10:00:00"));

        Assert.False(state.Open);
        Assert.Null(state.NextOpening);
    }

    [Theory]
    [InlineData("Mon-Thu 09:00-16:00", 4)]
    [InlineData("weekdays 09:00-17:00", 5)]
    [InlineData("daily 22:00-06:00", 7)]
    [InlineData("Fri-Mon 10:00-12:00", 4)]
    [InlineData("Mon,Wed,Fri 08:00-09:30", 3)]
    [InlineData("Friday 16:00 - Monday 08:00", 1)]
    [InlineData("Sat-Sun 00:00-24:00", 2)]
    [InlineData("Mon–Fri 09:00–17:00", 5)]
    [InlineData("weekend 10:00-12:00", 2)]
    public void Rules_are_written_as_people_say_them(string text, int spans)
    {
        Assert.True(WindowRule.TryParse(text, out var rule, out var error), error);
        Assert.Equal(spans, rule.Spans.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mon-Thu 9-16")]
    [InlineData("Funday 09:00-10:00")]
    [InlineData("Mon 25:00-26:00")]
    [InlineData("Mon 09:00-09:00")]
    [InlineData("Fri 16:00 - Fri 16:00")]
    [InlineData("Fri 23:00 - Fri 22:00")]
    [InlineData("Mon 24:00-25:00")]
    [InlineData("always")]
    public void A_rule_that_is_not_one_is_refused_with_a_reason(string text)
    {
        Assert.False(WindowRule.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
