using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Tests.Features.Metrics;

public class StatisticsTests
{
    private static TimeSpan[] Minutes(params int[] values) => values.Select(v => TimeSpan.FromMinutes(v)).ToArray();

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_two_middle_values() =>
        Assert.Equal(TimeSpan.FromMinutes(2.5), Statistics.Median(Minutes(4, 1, 3, 2)));

    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value() =>
        Assert.Equal(TimeSpan.FromMinutes(3), Statistics.Median(Minutes(9, 1, 3)));

    [Theory]
    [InlineData(10, 9)] // ceil(9.0) = 9th
    [InlineData(11, 10)] // ceil(9.9) = 10th
    [InlineData(1, 1)]
    [InlineData(20, 18)]
    public void The_90th_percentile_is_the_nearest_rank(int count, int expectedMinutes)
    {
        var values = Enumerable.Range(1, count).Reverse().Select(v => TimeSpan.FromMinutes(v)).ToArray();

        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), Statistics.NearestRankPercentile(values, 0.9));
    }

    [Fact]
    public void No_values_give_no_statistics()
    {
        Assert.Null(Statistics.Median([]));
        Assert.Null(Statistics.NearestRankPercentile([], 0.9));
        Assert.Null(Statistics.Mean([]));
    }
}
