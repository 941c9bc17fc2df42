using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Promotion;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>The last 90 days replayed under a proposed soak time, hand-worked.</summary>
public class WhatIfReplayTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        var t0 = Now.AddDays(-30);
        var t1 = Now.AddDays(-20);
        var t2 = Now.AddDays(-10);
        await using var db = _database.CreateDbContext();
        Deployment Deploy(int environment, string version, DateTime finished) =>
            new()
            {
                ServiceId = _team.ServiceId,
                EnvironmentId = environment,
                Version = version,
                StartedAt = finished.AddMinutes(-5),
                FinishedAt = finished,
                Outcome = DeploymentOutcome.Succeeded,
                Source = "test",
            };
        Catch Caught(string? version, DateTime at) =>
            new()
            {
                ServiceId = _team.ServiceId,
                EnvironmentId = _team.StagingId,
                Severity = 2,
                Title = "caught",
                Version = version,
                ReportedBy = "test",
                CaughtAt = at,
                RecordedAt = at,
                Source = "test",
            };
        db.AddRange(
            Deploy(_team.StagingId, "v1", t0),
            Deploy(_team.ProductionId, "v1", t0.AddHours(5)), // waited 5 h, never caught
            Deploy(_team.StagingId, "v2", t1),
            Caught("v2", t1.AddMinutes(30)), // caught within an hour
            Deploy(_team.StagingId, "v3", t2),
            Caught("v3", t2.AddHours(3)),
            Deploy(_team.ProductionId, "v3", t2.AddHours(4)),
            Caught(null, t2)
        ); // no version: cannot be judged
        await db.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task An_hour_of_soak_would_have_shipped_the_late_catch_and_saved_the_wait_beyond_the_hour()
    {
        var replay = await new WhatIfReplay(_database, _clock).ReplayAsync(_team.ProductionId, 60, Ct);

        Assert.Equal(
            new WhatIf(
                60,
                CatchesReachingProduction: 1,
                CatchesMatched: 2,
                CatchesUnmatched: 1,
                ShelfTimeSaved: TimeSpan.FromHours(4),
                VersionsPromoted: 1
            ),
            replay
        );
    }

    [Fact]
    public async Task Ten_hours_of_soak_would_have_held_every_catch_and_saved_nothing()
    {
        var replay = await new WhatIfReplay(_database, _clock).ReplayAsync(_team.ProductionId, 600, Ct);

        Assert.Equal(0, replay!.CatchesReachingProduction);
        Assert.Equal(TimeSpan.Zero, replay.ShelfTimeSaved);
    }

    [Fact]
    public async Task A_version_reported_late_to_staging_soaks_from_when_it_was_reported()
    {
        // v4 finished in staging at t, but its report arrived two hours later; a catch an hour after t was in time:
        // continuous promotion, counting 60 minutes from the report, would still have been holding it.
        var t = Now.AddDays(-5);
        await using (var db = _database.CreateDbContext())
        {
            db.AddRange(
                new Deployment
                {
                    ServiceId = _team.ServiceId,
                    EnvironmentId = _team.StagingId,
                    Version = "v4",
                    StartedAt = t.AddMinutes(-5),
                    FinishedAt = t,
                    ReceivedAt = t.AddHours(2),
                    OutcomeReceivedAt = t.AddHours(2),
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "test",
                },
                new Catch
                {
                    ServiceId = _team.ServiceId,
                    EnvironmentId = _team.StagingId,
                    Severity = 2,
                    Title = "caught",
                    Version = "v4",
                    ReportedBy = "test",
                    CaughtAt = t.AddHours(1),
                    RecordedAt = t.AddHours(1),
                    Source = "test",
                }
            );
            await db.SaveChangesAsync(Ct);
        }

        var replay = await new WhatIfReplay(_database, _clock).ReplayAsync(_team.ProductionId, 60, Ct);

        Assert.Equal((1, 3), (replay!.CatchesReachingProduction, replay.CatchesMatched)); // v2's late catch only
    }

    [Fact]
    public async Task The_first_stage_has_nothing_to_soak_in()
    {
        Assert.Null(await new WhatIfReplay(_database, _clock).ReplayAsync(_team.DevId, 60, Ct));
    }
}
