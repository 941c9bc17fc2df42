using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Components;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Wall;

/// <summary>The page around the sign: live updates and the passing of time, against a real SQLite store.</summary>
public class LiveWallTests : BunitContext, IAsyncLifetime
{
    // 23:58 in Berlin on 20 January.
    private static readonly DateTime Now = new(2026, 1, 20, 22, 58, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        await _database.AddCatchAsync(_team, Now.AddDays(-6));
        Services.AddSingleton<IDbContextFactory<ReleaseBoardDbContext>>(_database);
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(_database.Notifier);
        Services.AddSingleton<WallQuery>();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IRenderedComponent<LiveWall> RenderWall()
    {
        var page = Render<LiveWall>(p => p.Add(w => w.TeamSlug, _team.Slug));
        page.WaitForAssertion(() => Assert.Equal("6", page.Find("[data-testid=days-since]").TextContent));
        return page;
    }

    [Fact]
    public async Task A_recorded_catch_turns_the_open_wall_to_0_without_reload()
    {
        var page = RenderWall();

        var result = await new CatchRecorder(_database, _clock).RecordAsync(
            new RecordCatchCommand(
                _team.ServiceId,
                _team.StagingId,
                2,
                "Login loop",
                null,
                null,
                "Ben",
                Now.AddMinutes(-5)
            ),
            AuditActor.AnonymousUser,
            Xunit.TestContext.Current.CancellationToken
        );

        Assert.IsType<IngestOutcome<long>.Stored>(result);
        page.WaitForAssertion(() => Assert.Equal("0", page.Find("[data-testid=days-since]").TextContent));
        Assert.Contains("Login loop", page.Find("[data-testid=last-catch]").TextContent);
    }

    [Fact]
    public async Task A_burst_of_changes_is_shown_at_once_and_then_folded_into_one_read_per_interval()
    {
        var page = RenderWall();
        var recorder = new CatchRecorder(_database, _clock);
        async Task RecordAsync(string title, int minutesAgo) =>
            Assert.IsType<IngestOutcome<long>.Stored>(
                await recorder.RecordAsync(
                    new RecordCatchCommand(
                        _team.ServiceId,
                        _team.StagingId,
                        2,
                        title,
                        null,
                        null,
                        "Ben",
                        Now.AddMinutes(-minutesAgo)
                    ),
                    AuditActor.AnonymousUser,
                    Xunit.TestContext.Current.CancellationToken
                )
            );

        await RecordAsync("First", 5);
        page.WaitForAssertion(() => Assert.Contains("First", page.Find("[data-testid=last-catch]").TextContent));
        await RecordAsync("Second", 4);
        await RecordAsync("Third", 3);
        await Task.Delay(200, Xunit.TestContext.Current.CancellationToken);
        Assert.Contains("First", page.Find("[data-testid=last-catch]").TextContent); // folded, not yet read

        _clock.Advance(LiveReload.MinimumInterval);

        page.WaitForAssertion(() => Assert.Contains("Third", page.Find("[data-testid=last-catch]").TextContent));
    }

    [Fact]
    public void The_count_rolls_over_at_local_midnight_without_reload()
    {
        var page = RenderWall();

        _clock.Advance(TimeSpan.FromMinutes(3)); // 00:01 in Berlin, 21 January

        page.WaitForAssertion(() => Assert.Equal("7", page.Find("[data-testid=days-since]").TextContent));
        Assert.Equal("00:01", page.Find("[data-testid=clock]").TextContent);
    }

    [Fact]
    public async Task A_freeze_that_starts_later_shows_on_the_open_wall_when_it_starts_without_a_write()
    {
        await new ReleaseBoard.Web.Features.Windows.DeploymentWindows(_database, _clock).ScheduleFreezeAsync(
            AuditActor.System,
            new(_team.TeamId, null),
            Now.AddMinutes(1),
            Now.AddHours(1),
            "release train boards",
            Xunit.TestContext.Current.CancellationToken
        );
        var page = RenderWall();
        Assert.Empty(page.FindAll("[data-testid=frozen]"));

        _clock.Advance(TimeSpan.FromSeconds(70)); // the freeze began 10 s ago; the next full refresh is minutes away

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=frozen]").Count));
    }

    [Fact]
    public void Before_midnight_the_clock_moves_and_the_count_stays()
    {
        var page = RenderWall();

        _clock.Advance(TimeSpan.FromMinutes(1)); // 23:59

        page.WaitForAssertion(() => Assert.Equal("23:59", page.Find("[data-testid=clock]").TextContent));
        Assert.Equal("6", page.Find("[data-testid=days-since]").TextContent);
    }

    [Fact]
    public void A_wall_whose_first_read_failed_retries_on_the_next_tick()
    {
        var flaky = new FailingFirstDbContextFactory(_database);
        Services.AddSingleton<IDbContextFactory<ReleaseBoardDbContext>>(flaky);
        Services.AddSingleton(new WallQuery(flaky, _clock));

        var page = Render<LiveWall>(p => p.Add(w => w.TeamSlug, _team.Slug));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=wall-unavailable]")));

        _clock.Advance(LiveWall.TickInterval);

        page.WaitForAssertion(() => Assert.Equal("6", page.Find("[data-testid=days-since]").TextContent));
    }

    [Fact]
    public void While_the_database_is_away_the_wall_keeps_its_figures_marked_stale_and_recovers_by_itself()
    {
        var switchable = new SwitchableDbContextFactory(_database);
        Services.AddSingleton<IDbContextFactory<ReleaseBoardDbContext>>(switchable);
        Services.AddSingleton(new WallQuery(switchable, _clock));
        var page = Render<LiveWall>(p => p.Add(w => w.TeamSlug, _team.Slug));
        page.WaitForAssertion(() => Assert.Equal("6", page.Find("[data-testid=days-since]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=stale]"));

        switchable.Away = true;
        _clock.Advance(LiveWall.FullRefreshInterval); // the next scheduled re-read fails

        page.WaitForAssertion(() => Assert.Contains("STALE since 00:03", page.Find("[data-testid=stale]").TextContent));
        Assert.Equal("6", page.Find("[data-testid=days-since]").TextContent); // the last figures stay up
        _clock.Advance(LiveWall.TickInterval);
        // since the first failure
        page.WaitForAssertion(() => Assert.Contains("STALE since 00:03", page.Find("[data-testid=stale]").TextContent));

        switchable.Away = false;
        _clock.Advance(LiveWall.TickInterval);

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=stale]")));
        Assert.Equal("7", page.Find("[data-testid=days-since]").TextContent); // read afresh: past midnight now
    }

    /// <summary>A database that goes away and comes back.</summary>
    private sealed class SwitchableDbContextFactory(IDbContextFactory<ReleaseBoardDbContext> inner)
        : IDbContextFactory<ReleaseBoardDbContext>
    {
        public volatile bool Away;

        public ReleaseBoardDbContext CreateDbContext() =>
            Away
                ? throw new Microsoft.Data.Sqlite.SqliteException("unable to open database file", 14)
                : inner.CreateDbContext();
    }

    /// <summary>A database that does not answer the first time (locked, or still starting).</summary>
    private sealed class FailingFirstDbContextFactory(IDbContextFactory<ReleaseBoardDbContext> inner)
        : IDbContextFactory<ReleaseBoardDbContext>
    {
        private int _calls;

        public ReleaseBoardDbContext CreateDbContext() =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new InvalidOperationException("database is locked")
                : inner.CreateDbContext();
    }

    [Fact]
    public void An_unknown_team_says_so()
    {
        var page = Render<LiveWall>(p => p.Add(w => w.TeamSlug, "nobody"));

        page.WaitForAssertion(() => Assert.Contains("No team called “nobody”", page.Markup));
    }
}
