using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Features.Trends;

/// <summary>
/// DORA's failed deployment recovery time and deployment rework rate against a hand-worked fortnight, Berlin time:
/// week 1 runs from 18 Oct 22:00Z to 25 Oct 23:00Z (the clocks go back), week 2 to 1 Nov 23:00Z.
/// </summary>
public class DoraFiveTests : IAsyncLifetime
{
    private static readonly DateTime Now = Utc(2026, 11, 20, 12, 0);
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

    private async Task<TrendReport> ComputeAsync()
    {
        var (scope, error) = await _engine.ResolveScopeAsync(_team.Slug, null, TestContext.Current.CancellationToken);
        Assert.Null(error);
        return await _engine.ComputeAsync(
            scope!,
            new DateOnly(2026, 10, 19),
            new DateOnly(2026, 11, 2),
            BucketSize.Week,
            TestContext.Current.CancellationToken
        );
    }

    private async Task<long> DeployAsync(
        string version,
        DateTime finished,
        DeploymentOutcome outcome = DeploymentOutcome.Succeeded,
        long? rollsBack = null,
        long? fixes = null,
        int? environmentId = null
    )
    {
        await using var db = _database.CreateDbContext();
        var deployment = new Deployment
        {
            ServiceId = _team.ServiceId,
            EnvironmentId = environmentId ?? _team.ProductionId,
            Version = version,
            StartedAt = finished.AddMinutes(-5),
            FinishedAt = finished,
            Outcome = outcome,
            Kind = rollsBack is null ? DeploymentKind.Normal : DeploymentKind.Rollback,
            RollsBackDeploymentId = rollsBack,
            FixesIncidentId = fixes,
            Source = "test",
        };
        db.Deployments.Add(deployment);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return deployment.Id;
    }

    private async Task<long> FailAsync(DateTime start, long? causedBy, int severity = 2)
    {
        await using var db = _database.CreateDbContext();
        var incident = new Incident
        {
            ServiceId = _team.ServiceId,
            Severity = severity,
            Title = "Failure",
            ImpactStartedAt = start,
            DetectedAt = start,
            ResolvedAt = start.AddHours(1),
            CausingDeploymentId = causedBy,
            Source = "test",
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return incident.Id;
    }

    [Fact]
    public async Task Recovery_time_and_rework_rate_of_a_fix_forward_a_rollback_two_restored_by_one_and_one_never()
    {
        // A fix-forward: v1 breaks, v2 is deployed to fix the incident it caused, 2 h 30 min after v1 went live.
        var v1 = await DeployAsync("v1", Utc(2026, 10, 19, 10));
        var brokeByV1 = await FailAsync(Utc(2026, 10, 19, 10, 30), causedBy: v1);
        await DeployAsync("v2", Utc(2026, 10, 19, 12, 30), fixes: brokeByV1);
        // The same fix on its way through staging is no production deployment: neither live nor rework.
        await DeployAsync("v2", Utc(2026, 10, 19, 11), fixes: brokeByV1, environmentId: _team.StagingId);
        // A rollback: v3 is reverted by a rollback deployment 20 minutes after it went live.
        var v3 = await DeployAsync("v3", Utc(2026, 10, 20, 9));
        await DeployAsync("v2", Utc(2026, 10, 20, 9, 20), rollsBack: v3);
        // A rollback that failed restored nothing and never went live.
        await DeployAsync("v2", Utc(2026, 10, 20, 9, 10), DeploymentOutcome.Failed, rollsBack: v3);
        // Two failed deployments restored by one: v4 and v5 roll back (the rollbacks not reported on their own), v6
        // is the next that succeeds: 5 h after v4, 4 h after v5.
        await DeployAsync("v4", Utc(2026, 10, 21, 9), DeploymentOutcome.RolledBack);
        await DeployAsync("v5", Utc(2026, 10, 21, 10), DeploymentOutcome.RolledBack);
        await DeployAsync("v5", Utc(2026, 10, 21, 11), DeploymentOutcome.Failed); // never went live: restores nothing
        await DeployAsync("v6", Utc(2026, 10, 21, 14));
        // A fix of an incident of severity 4 (which counts in no figure) is no rework.
        var minor = await FailAsync(Utc(2026, 10, 22, 9), causedBy: null, severity: 4);
        await DeployAsync("v7", Utc(2026, 10, 23, 9), fixes: minor);
        // Never restored by a deployment: the incident v8 caused was resolved without one.
        var v8 = await DeployAsync("v8", Utc(2026, 10, 24, 9));
        await FailAsync(Utc(2026, 10, 24, 9, 30), causedBy: v8);
        // Rolled back late on the Sunday the clocks go back; the next success, in week 2, restores it 12 h later and
        // the 12 h count in week 1, where it went live.
        await DeployAsync("v9", Utc(2026, 10, 25, 20), DeploymentOutcome.RolledBack);
        await DeployAsync("v10", Utc(2026, 10, 26, 8));

        var report = await ComputeAsync();
        var (week1, week2) = (report.Buckets[0], report.Buckets[1]);

        // Restored: 20 min, 2 h 30, 4 h, 5 h, 12 h (mean 4 h 46 min); median the 3rd, p90 the ⌈4.5⌉ = 5th.
        Assert.Equal(
            new RecoveryFigures(TimeSpan.FromHours(4), TimeSpan.FromHours(12), Restored: 5, Open: 1),
            week1.FailedDeploymentRecovery
        );
        // Live in production: v1 v2 v3, its rollback, v4 v5 v6 v7 v8 v9 = 10; rework: the rollback and v2.
        Assert.Equal(new Ratio(2, 10), week1.ReworkRate);
        // The change failure rate is untouched: v1 v3 v4 v5 v8 v9 failed of 9 normal deployments that went live.
        Assert.Equal(new Ratio(6, 9), week1.ChangeFailureRate);

        Assert.Equal(RecoveryFigures.Empty, week2.FailedDeploymentRecovery);
        Assert.Equal(new Ratio(0, 1), week2.ReworkRate);
    }

    [Fact]
    public async Task A_failed_deployment_counts_once_restored_by_whichever_deployment_came_first()
    {
        // Named as a cause twice, fixed by one deployment and rolled back by another: the earliest (the fix) counts.
        var v1 = await DeployAsync("v1", Utc(2026, 10, 20, 9));
        var first = await FailAsync(Utc(2026, 10, 20, 9, 5), causedBy: v1);
        await FailAsync(Utc(2026, 10, 20, 9, 6), causedBy: v1);
        await DeployAsync("v2", Utc(2026, 10, 20, 9, 45), fixes: first);
        await DeployAsync("v0", Utc(2026, 10, 20, 10, 30), rollsBack: v1);
        // A fix reported before the deployment it fixes went live restores nothing; this one stays open.
        var v3 = await DeployAsync("v3", Utc(2026, 10, 21, 9));
        var early = await FailAsync(Utc(2026, 10, 21, 9, 1), causedBy: v3);
        await DeployAsync("v4", Utc(2026, 10, 21, 8), fixes: early);

        var recovery = (await ComputeAsync()).Buckets[0].FailedDeploymentRecovery;

        Assert.Equal(new RecoveryFigures(TimeSpan.FromMinutes(45), TimeSpan.FromMinutes(45), 1, 1), recovery);
    }

    [Fact]
    public async Task No_failed_deployment_means_no_recovery_time_and_no_deployment_means_no_rework_rate()
    {
        await DeployAsync("v1", Utc(2026, 10, 20, 9));

        var report = await ComputeAsync();

        Assert.Equal(RecoveryFigures.Empty, report.Buckets[0].FailedDeploymentRecovery);
        Assert.Equal(new Ratio(0, 1), report.Buckets[0].ReworkRate);
        Assert.Null(report.Buckets[1].ReworkRate.Value);
    }
}
