using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Features.Trends;

/// <summary>
/// Every figure of docs/metrics.md against a hand-worked fortnight on a real SQLite store, Berlin time. Week 1
/// (Mon 19 Oct 2026) is the week the clocks go back: 169 hours, from 18 Oct 22:00Z to 25 Oct 23:00Z. Week 2 runs
/// to 1 Nov 23:00Z (168 hours).
/// </summary>
public class TrendEngineTests : IAsyncLifetime
{
    private static readonly DateTime Now = Utc(2026, 11, 20, 12, 0);
    private static readonly DateOnly From = new(2026, 10, 19);
    private static readonly DateOnly To = new(2026, 11, 2);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;
    private TrendEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        _engine = new TrendEngine(_database, _clock);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private static DateTime Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    private async Task<TrendReport> ComputeAsync(
        BucketSize size = BucketSize.Week,
        DateOnly? from = null,
        DateOnly? to = null
    )
    {
        var (scope, error) = await _engine.ResolveScopeAsync(_team.Slug, null, TestContext.Current.CancellationToken);
        Assert.Null(error);
        return await _engine.ComputeAsync(scope!, from ?? From, to ?? To, size, TestContext.Current.CancellationToken);
    }

    private async Task<long> DeployAsync(
        int environmentId,
        string version,
        DateTime finished,
        DeploymentOutcome outcome = DeploymentOutcome.Succeeded,
        DateTime? committed = null,
        DeploymentKind kind = DeploymentKind.Normal,
        DateTime? started = null
    )
    {
        await using var db = _database.CreateDbContext();
        var deployment = new Deployment
        {
            ServiceId = _team.ServiceId,
            EnvironmentId = environmentId,
            Version = version,
            CommitAt = committed,
            StartedAt = started ?? finished.AddMinutes(-5),
            FinishedAt = finished,
            Outcome = outcome,
            Kind = kind,
            Source = "test",
        };
        db.Deployments.Add(deployment);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return deployment.Id;
    }

    private async Task FailAsync(DateTime start, DateTime? resolved, int severity = 2, long? causedBy = null)
    {
        await using var db = _database.CreateDbContext();
        db.Incidents.Add(
            new Incident
            {
                ServiceId = _team.ServiceId,
                Severity = severity,
                Title = "Failure",
                ImpactStartedAt = start,
                DetectedAt = start,
                ResolvedAt = resolved,
                CausingDeploymentId = causedBy,
                Source = "test",
            }
        );
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task MTBF_and_MTTR_count_overlaps_once_split_downtime_at_bucket_edges_and_keep_open_failures()
    {
        await FailAsync(Utc(2026, 10, 20, 10), Utc(2026, 10, 20, 12)); // A: 2 h
        await FailAsync(Utc(2026, 10, 20, 11), Utc(2026, 10, 20, 14)); // B: 3 h, overlaps A: together 10:00–14:00
        await FailAsync(Utc(2026, 10, 25, 21), Utc(2026, 10, 26, 1)); // C: 4 h, 2 h in each week, counted in week 1
        await FailAsync(Utc(2026, 10, 28, 10), resolved: null); // D: still open, down until the end of week 2
        await FailAsync(Utc(2026, 10, 29, 10), Utc(2026, 10, 29, 11), severity: 4); // recorded, counts nowhere

        var report = await ComputeAsync();
        var (week1, week2) = (report.Buckets[0].Reliability, report.Buckets[1].Reliability);

        Assert.Equal((3, 3, 0), (week1.Failures, week1.Resolved, week1.Open));
        Assert.Equal(TimeSpan.FromHours(6), week1.Downtime);
        Assert.Equal(TimeSpan.FromHours((169 - 6) / 3.0), week1.Mtbf);
        Assert.Equal(TimeSpan.FromHours(3), week1.MttrMean);
        Assert.Equal(TimeSpan.FromHours(3), week1.MttrMedian);
        Assert.Equal(TimeSpan.FromHours(4), week1.MttrP90);

        Assert.Equal((1, 0, 1), (week2.Failures, week2.Resolved, week2.Open));
        Assert.Equal(TimeSpan.FromHours(2 + 109), week2.Downtime); // C's last 2 h, D from Wed 10:00 to Sun 23:00
        Assert.Equal(TimeSpan.FromHours(168 - 111), week2.Mtbf);
        Assert.Null(week2.MttrMean);
    }

    [Fact]
    public async Task Mean_median_and_p90_of_a_skewed_week_are_three_different_figures()
    {
        // Eleven failures in week 2, none overlapping, repair times skewed by one long outage: mean 76 min, median (the
        // 6th) 15 min, p90 (nearest rank: the ceil(9.9) = 10th smallest) 90 min. Wiring any figure to another fails.
        int[] minutes = [594, 90, 45, 30, 20, 15, 12, 10, 8, 7, 5];
        for (var i = 0; i < minutes.Length; i++)
        {
            var start = Utc(2026, 10, 26, 0).AddHours(14 * i);
            await FailAsync(start, start.AddMinutes(minutes[i]));
        }
        // Lead times of eleven production deployments: median (the 6th) 5 h, mean about 15 h.
        int[] leadHours = [100, 24, 12, 8, 6, 5, 4, 3, 2, 2, 1];
        for (var i = 0; i < leadHours.Length; i++)
        {
            var finished = Utc(2026, 10, 27, 0).AddHours(i);
            await DeployAsync(_team.ProductionId, $"s{i}", finished, committed: finished.AddHours(-leadHours[i]));
        }

        var week2 = (await ComputeAsync()).Buckets[1];

        Assert.Equal((11, 11, 0), (week2.Reliability.Failures, week2.Reliability.Resolved, week2.Reliability.Open));
        Assert.Equal(TimeSpan.FromMinutes(76), week2.Reliability.MttrMean);
        Assert.Equal(TimeSpan.FromMinutes(15), week2.Reliability.MttrMedian);
        Assert.Equal(TimeSpan.FromMinutes(90), week2.Reliability.MttrP90);
        Assert.Equal(TimeSpan.FromMinutes(836), week2.Reliability.Downtime);
        Assert.Equal(TimeSpan.FromMinutes((168 * 60 - 836) / 11.0), week2.Reliability.Mtbf);
        Assert.Equal(new MedianOf(TimeSpan.FromHours(5), 11), week2.LeadTime);
    }

    [Fact]
    public async Task The_four_keys_shelf_time_and_rollback_time_from_production_deployments_that_went_live()
    {
        var p1 = await DeployAsync(_team.ProductionId, "v1", Utc(2026, 10, 20, 9), committed: Utc(2026, 10, 19, 9));
        await DeployAsync(_team.StagingId, "v1", Utc(2026, 10, 19, 21));
        var p2 = await DeployAsync(_team.ProductionId, "v2", Utc(2026, 10, 21, 9), DeploymentOutcome.RolledBack);
        await DeployAsync(_team.ProductionId, "v3", Utc(2026, 10, 22, 9), committed: Utc(2026, 10, 22, 8));
        await DeployAsync(_team.StagingId, "v3", Utc(2026, 10, 22, 6));
        await DeployAsync(_team.StagingId, "v3", Utc(2026, 10, 22, 7)); // a second pass: the first one starts the shelf
        await DeployAsync(_team.ProductionId, "v4", Utc(2026, 10, 22, 10), DeploymentOutcome.Failed); // never went live
        // lead ≤ 0: ignored
        await DeployAsync(_team.ProductionId, "v5", Utc(2026, 10, 23, 9), committed: Utc(2026, 10, 23, 10));
        await DeployAsync(
            _team.ProductionId,
            "v1",
            Utc(2026, 10, 21, 9, 25),
            kind: DeploymentKind.Rollback,
            started: Utc(2026, 10, 21, 9, 10)
        );
        await DeployAsync(_team.StagingId, "v9", Utc(2026, 10, 23, 12)); // pre-production only: no deployment figure
        // p2 is rolled back and also named as a cause: one failed change, not two. p1 is named as a cause.
        await FailAsync(Utc(2026, 10, 20, 10), Utc(2026, 10, 20, 11), causedBy: p1);
        await FailAsync(Utc(2026, 10, 21, 10), Utc(2026, 10, 21, 11), causedBy: p2);
        await FailAsync(Utc(2026, 10, 21, 12), Utc(2026, 10, 21, 13), causedBy: p2);

        var report = await ComputeAsync();
        var (week1, week2) = (report.Buckets[0], report.Buckets[1]);

        Assert.Equal(3, week1.SucceededDeployments);
        Assert.Equal(3 / 7.0, week1.DeploymentsPerDay, 10);
        Assert.Equal(new Ratio(2, 4), week1.ChangeFailureRate);
        Assert.Equal(new MedianOf(TimeSpan.FromHours(12.5), 2), week1.LeadTime); // 24 h and 1 h
        Assert.Equal(new MedianOf(TimeSpan.FromHours(7.5), 2), week1.ShelfTime); // 12 h and 3 h
        Assert.Equal(new MedianOf(TimeSpan.FromMinutes(15), 1), week1.TimeToRollBack);

        Assert.Equal(0, week2.SucceededDeployments);
        Assert.Null(week2.ChangeFailureRate.Value);
        Assert.Equal(new MedianOf(null, 0), week2.LeadTime);
    }

    [Fact]
    public async Task A_failed_change_counts_once_however_rolled_back_or_however_many_failures_name_it()
    {
        var twiceNamed = await DeployAsync(_team.ProductionId, "v1", Utc(2026, 10, 20, 9));
        var reverted = await DeployAsync(_team.ProductionId, "v2", Utc(2026, 10, 21, 9));
        var revertedAndNamed = await DeployAsync(_team.ProductionId, "v3", Utc(2026, 10, 22, 9));
        var namedBySeverity4 = await DeployAsync(_team.ProductionId, "v4", Utc(2026, 10, 23, 9));
        await DeployAsync(_team.ProductionId, "v5", Utc(2026, 10, 23, 12)); // fine
        await FailAsync(Utc(2026, 10, 20, 10), Utc(2026, 10, 20, 11), causedBy: twiceNamed);
        await FailAsync(Utc(2026, 10, 20, 12), Utc(2026, 10, 20, 13), causedBy: twiceNamed);
        await FailAsync(Utc(2026, 10, 22, 10), Utc(2026, 10, 22, 11), causedBy: revertedAndNamed);
        // counts nowhere
        await FailAsync(Utc(2026, 10, 23, 10), Utc(2026, 10, 23, 11), severity: 4, causedBy: namedBySeverity4);
        await using (var db = _database.CreateDbContext())
        {
            foreach (
                var (target, at) in new[]
                {
                    (reverted, Utc(2026, 10, 21, 10)),
                    (revertedAndNamed, Utc(2026, 10, 22, 10)),
                }
            )
                db.Deployments.Add(
                    new Deployment
                    {
                        ServiceId = _team.ServiceId,
                        EnvironmentId = _team.ProductionId,
                        Version = "v0",
                        StartedAt = at,
                        FinishedAt = at.AddMinutes(3),
                        Outcome = DeploymentOutcome.Succeeded,
                        Kind = DeploymentKind.Rollback,
                        RollsBackDeploymentId = target,
                        Source = "test",
                    }
                );
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var report = await ComputeAsync();

        Assert.Equal(new Ratio(3, 5), report.Buckets[0].ChangeFailureRate);
    }

    [Fact]
    public async Task The_running_bucket_divides_deployments_by_the_days_so_far()
    {
        // Friday 20 Nov: Monday to Friday is 5 days of the week so far.
        foreach (var day in new[] { 16, 17, 18, 19, 20 })
            await DeployAsync(_team.ProductionId, $"v{day}", Utc(2026, 11, day, 9));

        var report = await ComputeAsync(from: new DateOnly(2026, 11, 16), to: new DateOnly(2026, 11, 23));

        Assert.Equal(5, report.Buckets[0].DaysCounted);
        Assert.Equal(1.0, report.Buckets[0].DeploymentsPerDay);
    }

    [Fact]
    public async Task The_days_since_history_turns_at_local_midnight()
    {
        // 22:50Z on 20 October is 00:50 on the 21st in Berlin: the 21st shows 0, not the 20th.
        await _database.AddCatchAsync(_team, Utc(2026, 10, 20, 22, 50));

        var report = await ComputeAsync();

        Assert.Equal([null, null, 0, 1], report.DaysSince.Take(4).Select(p => p.Days));
        Assert.Equal(new DateOnly(2026, 10, 21), Assert.Single(report.CatchMarks).Date);
        Assert.Equal(11, report.Buckets[1].DaysSinceAtEnd); // Sunday 1 November
    }

    [Fact]
    public async Task Catch_ratio_and_the_days_since_history_count_only_catches_of_counting_severity()
    {
        await _database.AddCatchAsync(_team, Utc(2026, 10, 10, 10), title: "Before the range");
        await _database.AddCatchAsync(_team, Utc(2026, 10, 21, 10), title: "Refund twice");
        await _database.AddCatchAsync(_team, Utc(2026, 10, 22, 10), severity: 4, title: "Typo");
        await FailAsync(Utc(2026, 10, 20, 10), Utc(2026, 10, 20, 11));
        await FailAsync(Utc(2026, 10, 27, 10), Utc(2026, 10, 27, 11));

        var report = await ComputeAsync();

        Assert.Equal(new Ratio(1, 2), report.Buckets[0].CatchRatio);
        Assert.Equal(new Ratio(0, 1), report.Buckets[1].CatchRatio);
        Assert.Equal(14, report.DaysSince.Count);
        Assert.Equal([9, 10, 0, 1], report.DaysSince.Take(4).Select(p => p.Days));
        Assert.Equal(11, report.DaysSince[^1].Days);
        Assert.Equal("Refund twice", Assert.Single(report.CatchMarks).Title);
    }

    [Fact]
    public async Task Nothing_recorded_means_no_values_rather_than_zeros()
    {
        var report = await ComputeAsync();

        Assert.All(report.Buckets, b =>
        {
            Assert.Null(b.Reliability.Mtbf);
            Assert.Null(b.Reliability.MttrMean);
            Assert.Null(b.CatchRatio.Value);
            Assert.Null(b.ChangeFailureRate.Value);
            Assert.Null(b.LeadTime.Median);
        });
        Assert.All(report.DaysSince, p => Assert.Null(p.Days));
    }

    [Fact]
    public async Task The_current_bucket_is_partial_and_measured_up_to_now()
    {
        // Friday 20 Nov 12:00Z; the week began Monday 16 Nov 00:00 CET = Sunday 15 Nov 23:00Z: 4 days 13 hours (109 h)
        // so far.
        await FailAsync(Utc(2026, 11, 17, 10), Utc(2026, 11, 17, 11));

        var report = await ComputeAsync(from: new DateOnly(2026, 11, 16), to: new DateOnly(2026, 11, 23));
        var week = Assert.Single(report.Buckets);

        Assert.True(week.IsPartial);
        Assert.Equal(TimeSpan.FromHours(109 - 1), week.Reliability.Mtbf);
        Assert.Equal(5, report.DaysSince.Count); // Monday to today
    }

    [Fact]
    public async Task Monthly_buckets_put_each_event_in_its_local_month()
    {
        // 31 Oct 23:30Z is already 1 November in Berlin.
        await FailAsync(Utc(2026, 10, 31, 23, 30), Utc(2026, 11, 1, 0, 30));
        await DeployAsync(_team.ProductionId, "v1", Utc(2026, 10, 31, 22, 30));

        var report = await ComputeAsync(BucketSize.Month, new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 1));

        Assert.Equal([0, 1], report.Buckets.Select(b => b.Reliability.Failures));
        Assert.Equal([1, 0], report.Buckets.Select(b => b.SucceededDeployments));
        Assert.Equal(1 / 31.0, report.Buckets[0].DeploymentsPerDay, 10);
    }

    [Fact]
    public async Task Scope_narrows_to_a_service_and_unknown_names_are_reported()
    {
        var (service, _) = await _engine.ResolveScopeAsync(
            _team.Slug,
            $"{_team.Slug}-api",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(_team.ServiceId, service!.ServiceId);

        Assert.Equal(
            "There is no team \"nope\".",
            (await _engine.ResolveScopeAsync("nope", null, TestContext.Current.CancellationToken)).Error
        );
        Assert.Contains(
            "has no service \"nope\"",
            (await _engine.ResolveScopeAsync(_team.Slug, "nope", TestContext.Current.CancellationToken)).Error
        );
        var (all, _) = await _engine.ResolveScopeAsync(null, null, TestContext.Current.CancellationToken);
        Assert.True(all!.IsAllTeams);
    }

    [Fact]
    public async Task Waiting_on_the_shelf_counts_versions_past_pre_production_and_not_overtaken_in_production()
    {
        var scope = (await _engine.ResolveScopeAsync(_team.Slug, null, TestContext.Current.CancellationToken)).Scope!;
        await DeployAsync(_team.StagingId, "v1", Utc(2026, 11, 1, 9));
        await DeployAsync(_team.ProductionId, "v1", Utc(2026, 11, 2, 9));
        await DeployAsync(_team.StagingId, "v2", Utc(2026, 11, 10, 9));
        await DeployAsync(_team.StagingId, "v3", Utc(2026, 11, 12, 9));
        await DeployAsync(_team.StagingId, "v4", Utc(2026, 11, 13, 9), DeploymentOutcome.Failed);

        Assert.Equal(
            new ShelfNow(2, Utc(2026, 11, 10, 9)),
            await _engine.WaitingOnShelfAsync(scope, TestContext.Current.CancellationToken)
        );

        // v3 goes live and takes v2's changes with it
        await DeployAsync(_team.ProductionId, "v3", Utc(2026, 11, 14, 9));

        Assert.Equal(
            new ShelfNow(0, null),
            await _engine.WaitingOnShelfAsync(scope, TestContext.Current.CancellationToken)
        );
    }
}
