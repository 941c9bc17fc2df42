using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Tests.Features.Metrics;

public class ReliabilityCalculatorTests
{
    private static readonly DateTime From = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = From.AddDays(10); // 240 hours

    private static DateTime At(int day, int hour) => new(2026, 1, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Overlapping_failures_count_their_downtime_once()
    {
        // A: 2h. B: 00:00-06:00 and C: 04:00-08:00 overlap, their union is 8h. Downtime 10h over 240h, 3 failures.
        FailureInterval[] failures = [new(At(2, 10), At(2, 12)), new(At(5, 0), At(5, 6)), new(At(5, 4), At(5, 8))];

        var figures = ReliabilityCalculator.Calculate(failures, From, To, nowUtc: To);

        Assert.Equal(3, figures.Failures);
        Assert.Equal(TimeSpan.FromHours(10), figures.Downtime);
        Assert.Equal(new TimeSpan(76, 40, 0), figures.Mtbf); // (240h - 10h) / 3
        Assert.Equal(TimeSpan.FromHours(4), figures.MttrMean); // (2 + 6 + 4) / 3
        Assert.Equal(TimeSpan.FromHours(4), figures.MttrMedian);
        Assert.Equal(TimeSpan.FromHours(6), figures.MttrP90); // nearest rank: ceil(0.9 * 3) = 3rd smallest
    }

    [Fact]
    public void Mean_median_and_p90_of_a_skewed_sample_are_three_different_figures()
    {
        // Eleven days (15,840 min), eleven failures 20 h apart, repair times skewed by one long outage. Mean 836 / 11 =
        // 76 min; median, the 6th of 11, 15 min; p90, nearest rank ceil(0.9 × 11) = 10th smallest, 90 min. MTBF
        // (15,840 − 836) / 11 = 1,364 min.
        int[] minutes = [5, 7, 8, 10, 12, 15, 20, 30, 45, 90, 594];
        var failures = minutes
            .Select((m, i) => new FailureInterval(From.AddHours(20 * i), From.AddHours(20 * i).AddMinutes(m)))
            .ToArray();

        var figures = ReliabilityCalculator.Calculate(failures, From, From.AddDays(11), nowUtc: From.AddDays(11));

        Assert.Equal(TimeSpan.FromMinutes(76), figures.MttrMean);
        Assert.Equal(TimeSpan.FromMinutes(15), figures.MttrMedian);
        Assert.Equal(TimeSpan.FromMinutes(90), figures.MttrP90);
        Assert.Equal(TimeSpan.FromMinutes(836), figures.Downtime);
        Assert.Equal(TimeSpan.FromMinutes(1364), figures.Mtbf);
    }

    [Fact]
    public void A_failure_that_started_before_the_window_adds_downtime_but_is_not_counted()
    {
        FailureInterval[] failures = [new(From.AddHours(-2), From.AddHours(3))];

        var figures = ReliabilityCalculator.Calculate(failures, From, To, nowUtc: To);

        Assert.Equal(TimeSpan.FromHours(3), figures.Downtime);
        Assert.Equal(0, figures.Failures);
        Assert.Null(figures.Mtbf);
    }

    [Fact]
    public void An_open_failure_is_counted_and_down_until_now_but_has_no_repair_time()
    {
        FailureInterval[] failures = [new(At(10, 20), null)];

        var figures = ReliabilityCalculator.Calculate(failures, From, To, nowUtc: At(10, 23));

        Assert.Equal(1, figures.Failures);
        Assert.Equal(1, figures.Open);
        Assert.Equal(0, figures.Resolved);
        Assert.Equal(TimeSpan.FromHours(3), figures.Downtime);
        Assert.Equal(TimeSpan.FromHours(237), figures.Mtbf);
        Assert.Null(figures.MttrMean);
    }

    [Fact]
    public void Downtime_past_the_end_of_the_window_is_clipped()
    {
        FailureInterval[] failures = [new(At(10, 22), To.AddHours(2))];

        var figures = ReliabilityCalculator.Calculate(failures, From, To, nowUtc: To.AddDays(1));

        Assert.Equal(TimeSpan.FromHours(2), figures.Downtime);
        Assert.Equal(TimeSpan.FromHours(4), figures.MttrMean);
    }

    [Fact]
    public void No_failures_means_no_MTBF_rather_than_infinity_or_the_window_length()
    {
        var figures = ReliabilityCalculator.Calculate([], From, To, nowUtc: To);

        Assert.Null(figures.Mtbf);
        Assert.Null(figures.MttrMean);
        Assert.Equal(TimeSpan.Zero, figures.Downtime);
    }

    [Fact]
    public void An_empty_window_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ReliabilityCalculator.Calculate([], From, From, From));
    }
}
