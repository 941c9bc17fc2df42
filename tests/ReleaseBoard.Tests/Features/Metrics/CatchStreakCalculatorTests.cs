using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Tests.Features.Metrics;

public class CatchStreakCalculatorTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo Sydney = TimeZoneInfo.FindSystemTimeZoneById("Australia/Sydney");

    private static DateTime Utc(string iso) =>
        DateTime.SpecifyKind(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static DateTime Local(string iso, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture), zone);

    [Fact]
    public void A_catch_yesterday_at_23_50_shows_1_just_after_midnight_even_though_both_are_the_same_UTC_date()
    {
        // 2026-01-14 23:50 Berlin is 22:50Z; 2026-01-15 00:10 Berlin is 23:10Z on the 14th.
        var streak = CatchStreakCalculator.Calculate(
            [Utc("2026-01-14T22:50:00")],
            null,
            Utc("2026-01-14T23:10:00"),
            Berlin
        );

        Assert.Equal(1, streak.DaysSince);
        Assert.True(streak.HasCatches);
    }

    [Fact]
    public void A_catch_early_today_still_shows_0_late_tonight()
    {
        var streak = CatchStreakCalculator.Calculate(
            [Local("2026-01-15T00:05", Berlin)],
            null,
            Local("2026-01-15T23:55", Berlin),
            Berlin
        );

        Assert.Equal(0, streak.DaysSince);
    }

    [Fact]
    public void Counts_in_the_teams_zone_where_the_local_date_is_ahead_of_UTC()
    {
        // 08:00 in Sydney on 10 June is 22:00Z on 9 June; 20:00 the same local day is 10:00Z on 10 June.
        var streak = CatchStreakCalculator.Calculate(
            [Utc("2026-06-09T22:00:00")],
            null,
            Utc("2026-06-10T10:00:00"),
            Sydney
        );

        Assert.Equal(0, streak.DaysSince);
    }

    [Fact]
    public void The_23_hour_day_when_clocks_go_forward_still_counts_as_a_whole_day()
    {
        // Berlin springs forward on 2026-03-29; noon 28th to noon 30th is 47 hours and two calendar days.
        var streak = CatchStreakCalculator.Calculate(
            [Local("2026-03-28T12:00", Berlin)],
            null,
            Local("2026-03-30T12:00", Berlin),
            Berlin
        );

        Assert.Equal(2, streak.DaysSince);
    }

    [Fact]
    public void The_25_hour_day_when_clocks_go_back_counts_once()
    {
        // Berlin falls back on 2026-10-25: 23:30 on the 24th (21:30Z) to 23:30 on the 25th (22:30Z) is 25 hours.
        var caught = Utc("2026-10-24T21:30:00");

        Assert.Equal(1, CatchStreakCalculator.Calculate([caught], null, Utc("2026-10-25T22:30:00"), Berlin).DaysSince);
        Assert.Equal(1, CatchStreakCalculator.Calculate([caught], null, Utc("2026-10-24T22:10:00"), Berlin).DaysSince);
    }

    [Fact]
    public void Several_catches_on_one_day_are_one_reset_and_make_no_zero_length_run()
    {
        var catches = new[]
        {
            Local("2026-01-01T09:00", Berlin),
            Local("2026-01-01T17:00", Berlin),
            Local("2026-01-11T10:00", Berlin),
        };

        var streak = CatchStreakCalculator.Calculate(catches, null, Local("2026-01-15T08:00", Berlin), Berlin);

        Assert.Equal(4, streak.DaysSince);
        Assert.Equal(10, streak.RecordDays);
        Assert.False(streak.IsNewRecord);
    }

    [Fact]
    public void The_record_includes_the_current_run_and_beating_it_is_flagged()
    {
        var catches = new[] { Local("2026-01-05T10:00", Berlin), Local("2026-01-01T10:00", Berlin) };

        var streak = CatchStreakCalculator.Calculate(catches, null, Local("2026-01-20T10:00", Berlin), Berlin);

        Assert.Equal(15, streak.DaysSince);
        Assert.Equal(15, streak.RecordDays);
        Assert.True(streak.IsNewRecord);
        Assert.Equal(4, streak.PreviousRecordDays);
        Assert.False(streak.RecordBeatenToday);
    }

    [Theory]
    [InlineData("2026-01-09T23:59", false)] // 4 days: ties the record of 4 (Jan 1 to Jan 5)
    [InlineData("2026-01-10T00:01", true)] // 5 days: the record falls, in Berlin's day
    [InlineData("2026-01-10T23:59", true)] // the rest of that day
    [InlineData("2026-01-11T00:01", false)] // the next morning: still the record run, no longer its day
    public void The_record_is_beaten_on_one_local_day(string localNow, bool beatenToday)
    {
        var catches = new[] { Local("2026-01-05T10:00", Berlin), Local("2026-01-01T10:00", Berlin) };

        var streak = CatchStreakCalculator.Calculate(catches, null, Local(localNow, Berlin), Berlin);

        Assert.Equal(beatenToday, streak.RecordBeatenToday);
        Assert.Equal(4, streak.PreviousRecordDays);
    }

    [Fact]
    public void With_a_single_catch_there_is_no_earlier_record_to_beat()
    {
        var streak = CatchStreakCalculator.Calculate(
            [Local("2026-01-05T10:00", Berlin)],
            null,
            Local("2026-01-20T10:00", Berlin),
            Berlin
        );

        Assert.Equal(15, streak.RecordDays);
        Assert.False(streak.IsNewRecord);
    }

    [Fact]
    public void No_catch_yet_counts_from_the_teams_first_recorded_event()
    {
        var streak = CatchStreakCalculator.Calculate(
            [],
            Local("2026-01-03T23:30", Berlin),
            Local("2026-01-10T00:30", Berlin),
            Berlin
        );

        Assert.False(streak.HasCatches);
        Assert.Equal(7, streak.DaysSince);
        Assert.Equal(7, streak.RecordDays);
    }

    [Fact]
    public void No_catch_and_no_event_shows_0()
    {
        var streak = CatchStreakCalculator.Calculate([], null, Utc("2026-01-10T12:00:00"), Berlin);

        Assert.Equal(0, streak.DaysSince);
        Assert.False(streak.HasCatches);
    }

    [Fact]
    public void A_catch_stamped_later_than_now_shows_0_not_a_negative_count()
    {
        var streak = CatchStreakCalculator.Calculate(
            [Local("2026-01-11T09:00", Berlin)],
            null,
            Local("2026-01-10T12:00", Berlin),
            Berlin
        );

        Assert.Equal(0, streak.DaysSince);
    }
}
