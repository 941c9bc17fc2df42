using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Features.Trends;

public class BucketCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void Weeks_start_on_the_Monday_on_or_before_the_first_day_and_cover_the_range()
    {
        // Wednesday 21 October 2026 to Tuesday 3 November: the weeks of 19 Oct, 26 Oct and 2 Nov.
        var weeks = BucketCalendar.Split(
            new DateOnly(2026, 10, 21),
            new DateOnly(2026, 11, 4),
            BucketSize.Week,
            Berlin
        );

        Assert.Equal(
            [new DateOnly(2026, 10, 19), new DateOnly(2026, 10, 26), new DateOnly(2026, 11, 2)],
            weeks.Select(w => w.LocalStart)
        );
        Assert.All(weeks, w => Assert.Equal(7, w.CalendarDays));
        Assert.Equal(new DateTime(2026, 10, 18, 22, 0, 0, DateTimeKind.Utc), weeks[0].FromUtc); // Monday 00:00 CEST
    }

    [Fact]
    public void The_week_in_which_clocks_go_back_has_169_hours_and_the_one_in_which_they_go_forward_167()
    {
        var autumn = BucketCalendar
            .Split(new DateOnly(2026, 10, 19), new DateOnly(2026, 10, 26), BucketSize.Week, Berlin)
            .Single();
        var spring = BucketCalendar
            .Split(new DateOnly(2026, 3, 23), new DateOnly(2026, 3, 30), BucketSize.Week, Berlin)
            .Single();

        Assert.Equal(TimeSpan.FromHours(169), autumn.Length);
        Assert.Equal(TimeSpan.FromHours(167), spring.Length);
        Assert.Equal(7, autumn.CalendarDays);
        Assert.Equal(7, spring.CalendarDays);
    }

    [Fact]
    public void Months_are_calendar_months_in_the_zone()
    {
        var months = BucketCalendar.Split(
            new DateOnly(2026, 10, 15),
            new DateOnly(2026, 12, 1),
            BucketSize.Month,
            Berlin
        );

        Assert.Equal([new DateOnly(2026, 10, 1), new DateOnly(2026, 11, 1)], months.Select(m => m.LocalStart));
        Assert.Equal(TimeSpan.FromHours(31 * 24 + 1), months[0].Length); // October has the extra hour
        Assert.Equal(new DateTime(2026, 9, 30, 22, 0, 0, DateTimeKind.Utc), months[0].FromUtc);
        Assert.Equal(new DateTime(2026, 11, 30, 23, 0, 0, DateTimeKind.Utc), months[1].ToUtc);
    }

    [Fact]
    public void An_instant_finds_its_bucket_by_the_UTC_edges()
    {
        var weeks = BucketCalendar.Split(
            new DateOnly(2026, 10, 19),
            new DateOnly(2026, 11, 2),
            BucketSize.Week,
            Berlin
        );

        Assert.Equal(0, BucketCalendar.IndexOf(weeks, new DateTime(2026, 10, 25, 22, 59, 59, DateTimeKind.Utc)));
        Assert.Equal(1, BucketCalendar.IndexOf(weeks, new DateTime(2026, 10, 25, 23, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(-1, BucketCalendar.IndexOf(weeks, new DateTime(2026, 10, 18, 21, 59, 0, DateTimeKind.Utc)));
        Assert.Equal(-1, BucketCalendar.IndexOf(weeks, new DateTime(2026, 11, 1, 23, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void A_range_that_ends_before_it_starts_is_refused()
    {
        Assert.Throws<ArgumentException>(() =>
            BucketCalendar.Split(new DateOnly(2026, 1, 2), new DateOnly(2026, 1, 2), BucketSize.Week, Berlin)
        );
    }
}
