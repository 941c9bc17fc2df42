using System.Reflection;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Features.Trends;

/// <summary>
/// Every query of the trend engine compiles for both providers, with no server needed: SQL Server would refuse a
/// function it cannot translate here, at query compilation, as it would in production.
/// </summary>
public class TrendQueryShapeTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // Five years of weeks.
    private static readonly IReadOnlyList<Bucket> Buckets = BucketCalendar.Split(
        new DateOnly(2021, 1, 4),
        new DateOnly(2026, 1, 5),
        BucketSize.Week,
        Berlin
    );

    private static ReleaseBoardDbContext ContextFor(DatabaseProvider provider)
    {
        var builder = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        builder.UseReleaseBoardDatabase(
            provider,
            provider == DatabaseProvider.Sqlite
                ? "Data Source=unused.db"
                : "Server=unused;Database=ReleaseBoard;Integrated Security=false"
        );
        return new ReleaseBoardDbContext(builder.Options);
    }

    public static TheoryData<DatabaseProvider, string> Cases()
    {
        var data = new TheoryData<DatabaseProvider, string>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.SqlServer })
        foreach (var scope in new[] { "team", "service", "all" })
            data.Add(provider, scope);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_trend_query_compiles_on_the_provider(DatabaseProvider provider, string scopeKind)
    {
        using var db = ContextFor(provider);
        var scope = scopeKind switch
        {
            "team" => new TrendScope(1, "payments", "Payments", null, null, Berlin),
            "service" => new TrendScope(1, "payments", "Payments", 7, "payments-api", Berlin),
            _ => new TrendScope(null, null, "All teams", null, null, TimeZoneInfo.Utc),
        };
        var queries = new TrendQueries(db, scope);
        var environmentIds = new EnvironmentIds([3, 6, 9], [2, 5, 8]);
        var at = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);

        var methods = typeof(TrendQueries)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => typeof(IQueryable).IsAssignableFrom(m.ReturnType))
            .ToList();
        Assert.True(methods.Count >= 14, "every query of the engine should be covered");
        foreach (var method in methods)
        {
            var arguments = method
                .GetParameters()
                .Select(p =>
                    p.ParameterType switch
                    {
                        var t when t == typeof(EnvironmentIds) => (object)environmentIds,
                        var t when t == typeof(IReadOnlyList<Bucket>) => Buckets,
                        var t when t == typeof(DateTime) => at,
                        var t when t == typeof(EnvironmentPair) => new EnvironmentPair(7, 2, 3),
                        var t when t == typeof(int) => 50,
                        var t when t == typeof(IReadOnlyList<long>) => new long[] { 11, 12, 13 },
                        var t => throw new InvalidOperationException($"No test value for {t} in {method.Name}"),
                    }
                )
                .ToArray();
            var query = (IQueryable)method.Invoke(queries, arguments)!;

            var sql = query.ToQueryString();

            Assert.False(string.IsNullOrWhiteSpace(sql), method.Name);
            if (provider == DatabaseProvider.SqlServer)
                Assert.DoesNotContain("julianday", sql, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Counts_are_grouped_in_the_database_by_a_bucket_search_within_SQL_Servers_nesting_limit()
    {
        using var db = ContextFor(DatabaseProvider.SqlServer);
        var most = BucketCalendar.Split(new DateOnly(2017, 1, 2), new DateOnly(2026, 10, 26), BucketSize.Week, Berlin);
        Assert.Equal(TrendRange.MaxBuckets, most.Count);

        var sql = new TrendQueries(db, new TrendScope(1, "payments", "Payments", null, null, Berlin))
            .DeploymentCounts(new EnvironmentIds([3], [2]), most)
            .ToQueryString();

        Assert.Contains("GROUP BY", sql);
        Assert.Contains("COUNT(", sql);
        // SQL Server refuses CASE nested more than ten deep.
        var (depth, deepest) = (0, 0);
        foreach (var token in System.Text.RegularExpressions.Regex.Matches(sql, @"\b(CASE|END)\b").Select(m => m.Value))
            deepest = Math.Max(deepest, depth += token == "CASE" ? 1 : -1);
        Assert.InRange(deepest, 1, 10);
    }

    [Fact]
    public void Durations_are_computed_by_each_provider_in_its_own_terms()
    {
        var scope = new TrendScope(1, "payments", "Payments", null, null, Berlin);
        using var sqlServer = ContextFor(DatabaseProvider.SqlServer);
        using var sqlite = ContextFor(DatabaseProvider.Sqlite);

        Assert.Contains(
            "DATEDIFF_BIG(millisecond,",
            new TrendQueries(sqlServer, scope).LeadAndShelfTimes(new EnvironmentIds([3], [2]), Buckets).ToQueryString()
        );
        Assert.Contains(
            "julianday(",
            new TrendQueries(sqlite, scope).LeadAndShelfTimes(new EnvironmentIds([3], [2]), Buckets).ToQueryString()
        );
    }

    [Fact]
    public void More_buckets_than_the_limit_are_refused_before_reaching_a_database()
    {
        var tooMany = BucketCalendar.Split(new DateOnly(2010, 1, 4), new DateOnly(2026, 1, 5), BucketSize.Week, Berlin);

        Assert.Throws<ArgumentException>(() => TrendQueries.BucketNumber<DateTime>(t => t, tooMany));
    }
}
