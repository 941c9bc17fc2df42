using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Wall;

public class WallQueryTests
{
    // 12:00 in Berlin on a winter day.
    private static readonly DateTime Now = new(2026, 1, 20, 11, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));

    [Fact]
    public async Task Reads_the_days_since_the_latest_counting_catch_in_the_teams_time_zone()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await database.AddCatchAsync(team, Now.AddDays(-30), title: "Old one");
        await database.AddCatchAsync(
            team,
            new DateTime(2026, 1, 16, 22, 50, 0, DateTimeKind.Utc),
            title: "Refund rounds wrong"
        ); // 23:50 Berlin, 16 Jan
        // severity 4 counts in no figure
        await database.AddCatchAsync(team, Now.AddDays(-1), severity: 4, title: "Typo in a label");

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        Assert.NotNull(wall);
        Assert.Equal(4, wall.Streak.DaysSince);
        Assert.Equal(26, wall.Streak.RecordDays);
        Assert.Equal("Refund rounds wrong", wall.LatestCatch!.Title);
        Assert.Equal("staging", wall.LatestCatch.EnvironmentName);
    }

    [Fact]
    public async Task Shows_every_open_incident_and_computes_90_day_reliability_from_counting_failures()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await database.AddIncidentAsync(team, Now.AddDays(-10), Now.AddDays(-10).AddHours(2));
        await database.AddIncidentAsync(team, Now.AddDays(-5), Now.AddDays(-5).AddHours(1));
        await database.AddIncidentAsync(team, Now.AddDays(-120), Now.AddDays(-120).AddHours(1)); // outside the window
        // open, not counting
        await database.AddIncidentAsync(team, Now.AddMinutes(-30), null, severity: 4, title: "Slow admin page");

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        Assert.Equal("Slow admin page", Assert.Single(wall!.OpenIncidents).Title);
        Assert.Equal(2, wall.Reliability.Failures);
        Assert.Equal(TimeSpan.FromHours(1.5), wall.Reliability.MttrMean);
        Assert.Equal(
            TimeSpan.FromTicks((TimeSpan.FromDays(90) - TimeSpan.FromHours(3)).Ticks / 2),
            wall.Reliability.Mtbf
        );
    }

    [Fact]
    public async Task The_trend_lines_show_the_90_day_figures_as_they_stood_at_the_end_of_each_of_the_last_12_weeks()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        // in the windows ending up to 14 days ago
        await database.AddIncidentAsync(team, Now.AddDays(-100), Now.AddDays(-100).AddHours(1));
        await database.AddIncidentAsync(team, Now.AddDays(-10), Now.AddDays(-10).AddHours(2));
        await database.AddIncidentAsync(team, Now.AddDays(-5), Now.AddDays(-5).AddHours(1));
        // open a week ago, resolved 24 h later
        await database.AddIncidentAsync(team, Now.AddDays(-7).AddHours(-1), Now.AddDays(-6).AddHours(-1));

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        Assert.Equal(12, wall!.MttrTrendMinutes.Count);
        // A week ago the 24-hour failure was still open, so it was not in MTTR yet; now it is: (120 + 60 + 1440) / 3.
        Assert.Equal(
            [.. Enumerable.Repeat<double?>(60, 10), 120, 540],
            wall.MttrTrendMinutes.Select(m => m is { } v ? Math.Round(v, 6) : (double?)null)
        );
        // the last point is the figure on the wall
        Assert.Equal(wall.Reliability.Mtbf!.Value.TotalHours, wall.MtbfTrendHours[^1]!.Value, 6);
        Assert.Equal((TimeSpan.FromDays(90) - TimeSpan.FromHours(1)).TotalHours, wall.MtbfTrendHours[0]!.Value, 6);
    }

    [Fact]
    public async Task Shows_how_many_versions_wait_on_the_shelf_and_since_when()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await using (var db = database.CreateDbContext())
        {
            Deployment Deploy(int environment, string version, DateTime finished) =>
                new()
                {
                    ServiceId = team.ServiceId,
                    EnvironmentId = environment,
                    Version = version,
                    StartedAt = finished.AddMinutes(-5),
                    FinishedAt = finished,
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "test",
                };
            db.Deployments.AddRange(
                Deploy(team.StagingId, "1.0", Now.AddDays(-3)),
                Deploy(team.ProductionId, "1.0", Now.AddDays(-3).AddHours(2)),
                Deploy(team.StagingId, "1.1", Now.AddDays(-2)),
                Deploy(team.StagingId, "1.2", Now.AddHours(-5))
            );
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        Assert.Equal(new ReleaseBoard.Web.Features.Trends.ShelfNow(2, Now.AddDays(-2)), wall!.Shelf);
    }

    [Fact]
    public async Task Lists_each_services_environments_in_pipeline_order_with_their_promotion_state()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await using (var db = database.CreateDbContext())
        {
            var production = await db.Environments.FindAsync(
                [team.ProductionId],
                TestContext.Current.CancellationToken
            );
            production!.PromotionMode = PromotionMode.Paused;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        var pipeline = Assert.Single(wall!.Pipelines);
        Assert.Equal(["dev", "staging", "production"], pipeline.Environments.Select(e => e.Name));
        Assert.Equal(PromotionMode.Paused, pipeline.Environments[2].Mode);
    }

    [Fact]
    public async Task A_frozen_environment_says_what_froze_it_and_the_others_do_not()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var windows = new DeploymentWindows(database, _clock);
        await windows.ScheduleFreezeAsync(
            AuditActor.System,
            new FreezeScope(null, team.ProductionId),
            Now.AddHours(-1),
            Now.AddHours(3),
            "year-end close",
            TestContext.Current.CancellationToken
        );
        // A deny window for staging that is not in force now (Tuesday noon in Berlin).
        await windows.AddWindowAsync(
            AuditActor.System,
            team.StagingId,
            WindowKind.Deny,
            "Fri 16:00 - Mon 08:00",
            "weekend",
            TestContext.Current.CancellationToken
        );

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        var environments = Assert.Single(wall!.Pipelines).Environments;
        Assert.Equal("frozen (this environment): year-end close", environments[2].FrozenBy);
        Assert.Null(environments[1].FrozenBy);
        Assert.Null(environments[0].FrozenBy);
    }

    [Fact]
    public async Task Without_any_catch_counts_from_the_first_recorded_event()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await database.AddIncidentAsync(team, Now.AddDays(-12), Now.AddDays(-12).AddHours(1));

        var wall = await new WallQuery(database, _clock).LoadAsync("payments", TestContext.Current.CancellationToken);

        Assert.False(wall!.Streak.HasCatches);
        Assert.Equal(12, wall.Streak.DaysSince);
        Assert.Null(wall.LatestCatch);
    }

    [Fact]
    public async Task An_unknown_team_has_no_wall()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();

        Assert.Null(await new WallQuery(database, _clock).LoadAsync("nobody", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Walls_woken_by_one_change_share_one_read_and_the_next_change_or_a_second_later_reads_again()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await database.AddCatchAsync(team, Now.AddDays(-3), title: "First");
        var query = new WallQuery(database, _clock);
        var ct = TestContext.Current.CancellationToken;

        var first = await query.LoadSharedAsync("payments", version: 7, ct);
        var second = await query.LoadSharedAsync("payments", version: 7, ct);
        Assert.Same(first, second);

        await database.AddCatchAsync(team, Now.AddHours(-1), title: "Second");
        var afterChange = await query.LoadSharedAsync("payments", version: 8, ct);
        Assert.Equal("Second", afterChange!.LatestCatch!.Title);

        // No write, but time moves the figures: past a second, a read is not shared any more.
        _clock.Advance(WallQuery.SharedFor);
        Assert.NotSame(afterChange, await query.LoadSharedAsync("payments", version: 8, ct));
    }

    [Fact]
    public async Task An_address_with_the_wrong_case_never_answers_for_the_team_it_resembles()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await database.AddTeamAsync();
        var query = new WallQuery(database, _clock);
        var ct = TestContext.Current.CancellationToken;

        Assert.Null(await query.LoadSharedAsync("Payments", version: 3, ct));
        Assert.NotNull(await query.LoadSharedAsync("payments", version: 3, ct));
    }
}
