using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>The promotion state machine over every transition, allowed and refused, on a real SQLite store.</summary>
public class PromotionServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;
    private PromotionService _promotion = null!;
    private ReadinessEvaluator _readiness = null!;

    private static Deployment Rollback(TestTeam team, DateTime finished, TimeSpan took) =>
        new()
        {
            ServiceId = team.ServiceId,
            EnvironmentId = team.ProductionId,
            Version = "rb",
            StartedAt = finished - took,
            FinishedAt = finished,
            Outcome = DeploymentOutcome.Succeeded,
            Kind = DeploymentKind.Rollback,
            Source = "test",
        };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly AuditActor Ada = AuditActor.User("ada@example.test", "ada@example.test"),
        Ben = AuditActor.User("ben@example.test", "ben@example.test"),
        Cy = AuditActor.User("cy@example.test", "cy@example.test");

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        await using (var db = _database.CreateDbContext())
        {
            await db
                .Environments.Where(e => e.Id == _team.ProductionId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.RequiredApprovals, 2), Ct);
            // The evidence every criterion asks for: a production rollback proven two days ago in five minutes.
            db.Deployments.Add(Rollback(_team, _clock.GetUtcNow().UtcDateTime.AddDays(-2), TimeSpan.FromMinutes(5)));
            await db.SaveChangesAsync(Ct);
        }
        _readiness = TestPromotion.Readiness(_database, _clock);
        _promotion = TestPromotion.Service(_database, _clock, _readiness);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private async Task<ServiceEnvironment> EnvironmentAsync(int id)
    {
        await using var db = _database.CreateDbContext();
        return await db.Environments.AsNoTracking().SingleAsync(e => e.Id == id, Ct);
    }

    private async Task<string[]> AuditAsync()
    {
        await using var db = _database.CreateDbContext();
        return await db.AuditEntries.OrderBy(a => a.Id).Select(a => a.Action).ToArrayAsync(Ct);
    }

    private async Task SetModeAsync(int environmentId, PromotionMode mode)
    {
        await using var db = _database.CreateDbContext();
        await db
            .Environments.Where(e => e.Id == environmentId)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, mode), Ct);
    }

    private async Task<long> RequestAsync(int environmentId, AuditActor by)
    {
        var stamp = (await EnvironmentAsync(environmentId)).ConcurrencyStamp;
        var outcome = Assert.IsType<PromotionOutcome.Done>(
            await _promotion.RequestContinuousAsync(environmentId, stamp, by, "staging has been quiet for a month", Ct)
        );
        return outcome.RequestId!.Value;
    }

    private static string Refusal(PromotionOutcome outcome) => Assert.IsType<PromotionOutcome.Refused>(outcome).Code;

    [Fact]
    public async Task Production_turns_continuous_when_two_distinct_approvers_other_than_the_requester_approve()
    {
        var request = await RequestAsync(_team.ProductionId, Ada);

        Assert.Equal("own-request", Refusal(await _promotion.ApproveAsync(request, Ada, cancellationToken: Ct)));
        Assert.IsType<PromotionOutcome.Done>(await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct));
        Assert.Equal(PromotionMode.Manual, (await EnvironmentAsync(_team.ProductionId)).PromotionMode); // one of two
        Assert.Equal("already-approved", Refusal(await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct)));
        var done = Assert.IsType<PromotionOutcome.Done>(
            await _promotion.ApproveAsync(request, Cy, cancellationToken: Ct)
        );

        Assert.Equal(PromotionMode.Continuous, done.Environment.Mode);
        var environment = await EnvironmentAsync(_team.ProductionId);
        Assert.Equal(PromotionMode.Continuous, environment.PromotionMode);
        Assert.Equal("staging has been quiet for a month", environment.PromotionModeReason);
        Assert.Equal(
            ["promotion.requested", "promotion.approved", "promotion.approved", "promotion.continuous"],
            await AuditAsync()
        );
        Assert.Equal(
            "closed",
            Refusal(
                await _promotion.ApproveAsync(
                    request,
                    AuditActor.User("dee@example.test", "dee@example.test"),
                    cancellationToken: Ct
                )
            )
        );
    }

    [Fact]
    public async Task Four_eyes_compare_stable_ids_not_the_names_people_sign_in_with()
    {
        // One person, two sign-ins: a local account and an SSO identity linked to it carry the same id.
        var local = AuditActor.User("user-7", "ada@example.test");
        var sameViaSso = AuditActor.User("user-7", "ada.lovelace@corp.example");
        var request = await RequestAsync(_team.ProductionId, local);

        Assert.Equal("own-request", Refusal(await _promotion.ApproveAsync(request, sameViaSso, cancellationToken: Ct)));
        // Two people who share a display name are still two people.
        var first = AuditActor.User("sso/https://idp.example#1", "Sam Lee");
        var second = AuditActor.User("sso/https://idp.example#2", "Sam Lee");
        Assert.IsType<PromotionOutcome.Done>(await _promotion.ApproveAsync(request, first, cancellationToken: Ct));
        Assert.Equal(
            "already-approved",
            Refusal(
                await _promotion.ApproveAsync(
                    request,
                    AuditActor.User("sso/https://idp.example#1", "sam.lee@new-domain.example"),
                    cancellationToken: Ct
                )
            )
        );
        var done = Assert.IsType<PromotionOutcome.Done>(
            await _promotion.ApproveAsync(request, second, cancellationToken: Ct)
        );

        Assert.Equal(PromotionMode.Continuous, done.Environment.Mode);
        await using var db = _database.CreateDbContext();
        var stored = await db.PromotionRequests.Include(r => r.Approvals).SingleAsync(r => r.Id == request, Ct);
        Assert.Equal("user-7", stored.RequestedById);
        Assert.Equal(
            ["sso/https://idp.example#1", "sso/https://idp.example#2"],
            stored.Approvals.OrderBy(a => a.Id).Select(a => a.ApproverId)
        );
        Assert.Contains(await db.AuditEntries.Select(a => a.ActorId).ToListAsync(Ct), id => id == "user-7");
    }

    [Fact]
    public async Task A_request_from_before_stable_ids_is_still_not_approved_by_the_person_who_made_it()
    {
        var request = await RequestAsync(
            _team.ProductionId,
            AuditActor.User("sso/https://idp.example#9", "sam@corp.example")
        );
        await using (var db = _database.CreateDbContext()) // as the StableIdentities migration left it
            await db
                .PromotionRequests.Where(r => r.Id == request)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.RequestedById, "name/sam@corp.example"), Ct);

        Assert.Equal(
            "own-request",
            Refusal(
                await _promotion.ApproveAsync(
                    request,
                    AuditActor.User("sso/https://idp.example#9", "Sam@Corp.example"),
                    cancellationToken: Ct
                )
            )
        );
        Assert.IsType<PromotionOutcome.Done>(await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct));
    }

    [Fact]
    public async Task Elsewhere_one_approver_is_enough()
    {
        var request = await RequestAsync(_team.StagingId, Ada);

        var done = Assert.IsType<PromotionOutcome.Done>(
            await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct)
        );

        Assert.Equal(PromotionMode.Continuous, done.Environment.Mode);
    }

    [Fact]
    public async Task An_expired_request_cannot_be_approved_and_a_new_one_can_be_made()
    {
        var request = await RequestAsync(_team.StagingId, Ada);
        _clock.Advance(PromotionService.RequestLifetime + TimeSpan.FromMinutes(1));

        Assert.Equal("expired", Refusal(await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct)));
        Assert.Equal(PromotionMode.Manual, (await EnvironmentAsync(_team.StagingId)).PromotionMode);
        Assert.Contains("promotion.expired", await AuditAsync());
        await RequestAsync(_team.StagingId, Ada);
    }

    [Fact]
    public async Task The_sweep_records_expiry_when_the_time_is_up_without_anyone_acting()
    {
        var staging = await RequestAsync(_team.StagingId, Ada);
        _clock.Advance(TimeSpan.FromHours(12));
        var production = await RequestAsync(_team.ProductionId, Ben);
        _clock.Advance(PromotionService.RequestLifetime - TimeSpan.FromHours(12));

        Assert.Equal(1, await _promotion.ExpireDueRequestsAsync(Ct)); // staging's is 24 h old, production's 12 h
        Assert.Equal(0, await _promotion.ExpireDueRequestsAsync(Ct)); // recorded once
        await using (var db = _database.CreateDbContext())
        {
            var statuses = await db
                .PromotionRequests.OrderBy(r => r.Id)
                .Select(r => new
                {
                    r.Id,
                    r.Status,
                    r.ClosedBy,
                })
                .ToListAsync(Ct);
            Assert.Equal(
                [
                    (staging, PromotionRequestStatus.Expired, (string?)"system"),
                    (production, PromotionRequestStatus.Pending, null),
                ],
                statuses.Select(r => (r.Id, r.Status, r.ClosedBy))
            );
        }
        Assert.Equal(["promotion.requested", "promotion.requested", "promotion.expired"], await AuditAsync());
    }

    [Fact]
    public async Task The_expiry_sweep_runs_by_itself_at_start_and_then_every_minute()
    {
        await RequestAsync(_team.StagingId, Ada);
        _clock.Advance(PromotionService.RequestLifetime); // due before the sweep starts: its first pass expires it
        using var sweep = new PromotionExpirySweep(
            _promotion,
            _clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PromotionExpirySweep>.Instance
        );
        await sweep.StartAsync(Ct);
        try
        {
            await Eventually.AssertAsync(async () => Assert.Single(await AuditAsync(), "promotion.expired"));
            await RequestAsync(_team.ProductionId, Ben);
            _clock.Advance(PromotionService.RequestLifetime); // due now: only a tick of the timer can expire this one

            await Eventually.AssertAsync(async () =>
                Assert.Equal(2, (await AuditAsync()).Count(a => a == "promotion.expired"))
            );
        }
        finally
        {
            await sweep.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task A_request_the_sweep_expired_is_refused_as_expired_and_one_past_its_time_cannot_be_rejected()
    {
        var swept = await RequestAsync(_team.StagingId, Ada);
        var unswept = await RequestAsync(_team.ProductionId, Ada);
        _clock.Advance(PromotionService.RequestLifetime);
        await using (var db = _database.CreateDbContext())
            await db
                .PromotionRequests.Where(r => r.Id == swept)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, PromotionRequestStatus.Expired), Ct);

        Assert.Equal("expired", Refusal(await _promotion.ApproveAsync(swept, Ben, cancellationToken: Ct)));
        Assert.Equal("expired", Refusal(await _promotion.RejectAsync(swept, Ben, "too late", Ct)));
        Assert.Equal("expired", Refusal(await _promotion.RejectAsync(unswept, Ben, "too late", Ct)));
        await using var check = _database.CreateDbContext();
        Assert.Equal(
            PromotionRequestStatus.Expired,
            (await check.PromotionRequests.SingleAsync(r => r.Id == unswept, Ct)).Status
        );
    }

    [Fact]
    public async Task One_pending_request_per_environment_and_a_reason_is_required()
    {
        await RequestAsync(_team.ProductionId, Ada);
        var stamp = (await EnvironmentAsync(_team.ProductionId)).ConcurrencyStamp;

        Assert.Equal(
            "request-pending",
            Refusal(await _promotion.RequestContinuousAsync(_team.ProductionId, stamp, Ben, "me too", Ct))
        );
        Assert.Equal(
            "reason-required",
            Refusal(await _promotion.RequestContinuousAsync(_team.StagingId, Guid.Empty, Ben, "  ", Ct))
        );
    }

    [Fact]
    public async Task Acting_on_a_stale_stamp_stores_nothing_and_shows_what_changed()
    {
        var stale = (await EnvironmentAsync(_team.StagingId)).ConcurrencyStamp;
        await RequestAsync(_team.StagingId, Ada); // changes the stamp

        var outcome = await _promotion.RequestContinuousAsync(_team.StagingId, stale, Ben, "again", Ct);

        Assert.IsType<PromotionOutcome.ChangedMeanwhile>(outcome);
        Assert.Single(await AuditAsync());
    }

    [Fact]
    public async Task Pause_is_immediate_from_continuous_only_and_manual_withdraws_pending_requests()
    {
        await SetModeAsync(_team.ProductionId, PromotionMode.Continuous);
        var environment = await EnvironmentAsync(_team.ProductionId);

        Assert.Equal(
            "reason-required",
            Refusal(await _promotion.PauseAsync(environment.Id, environment.ConcurrencyStamp, Ada, "", Ct))
        );
        var paused = Assert.IsType<PromotionOutcome.Done>(
            await _promotion.PauseAsync(environment.Id, environment.ConcurrencyStamp, Ada, "odd latency", Ct)
        );
        Assert.Equal(PromotionMode.Paused, paused.Environment.Mode);
        Assert.Equal(
            "not-allowed",
            Refusal(await _promotion.PauseAsync(environment.Id, paused.Environment.Stamp, Ada, "again", Ct))
        );

        var request = await RequestAsync(_team.ProductionId, Ada); // resume from Paused needs a request again
        var now = await EnvironmentAsync(_team.ProductionId);
        Assert.IsType<PromotionOutcome.Done>(
            await _promotion.SetManualAsync(now.Id, now.ConcurrencyStamp, Ben, "back to hand promotion", Ct)
        );
        Assert.Equal("closed", Refusal(await _promotion.ApproveAsync(request, Cy, cancellationToken: Ct)));
        Assert.Equal(PromotionMode.Manual, (await EnvironmentAsync(_team.ProductionId)).PromotionMode);
    }

    [Fact]
    public async Task Stop_the_line_pauses_every_continuous_environment_of_the_team_and_no_other()
    {
        var other = await _database.AddTeamAsync("search");
        foreach (var id in new[] { _team.StagingId, _team.ProductionId, other.ProductionId })
            await SetModeAsync(id, PromotionMode.Continuous);

        var stopped = await _promotion.StopTheLineAsync(_team.TeamId, Ada, "release freeze", Ct);

        Assert.Equal(2, stopped.Value);
        Assert.Equal(PromotionMode.Paused, (await EnvironmentAsync(_team.StagingId)).PromotionMode);
        Assert.Equal(PromotionMode.Paused, (await EnvironmentAsync(_team.ProductionId)).PromotionMode);
        Assert.Equal(PromotionMode.Continuous, (await EnvironmentAsync(other.ProductionId)).PromotionMode);
        Assert.Equal(["promotion.stop-the-line", "promotion.stop-the-line"], await AuditAsync());
    }

    [Fact]
    public async Task An_incident_of_pausing_severity_pauses_the_service_as_the_system_and_a_milder_one_does_not()
    {
        await SetModeAsync(_team.ProductionId, PromotionMode.Continuous);

        await using (var db = _database.CreateDbContext())
        {
            Assert.Equal(0, await _promotion.PauseForIncidentAsync(db, _team.ServiceId, 3, "Slow search", Ct));
            Assert.Equal(1, await _promotion.PauseForIncidentAsync(db, _team.ServiceId, 2, "Checkout down", Ct));
        }

        var environment = await EnvironmentAsync(_team.ProductionId);
        Assert.Equal(PromotionMode.Paused, environment.PromotionMode);
        Assert.Equal("system", environment.PromotionModeChangedBy);
        Assert.Contains("Checkout down", environment.PromotionModeReason);
    }

    [Fact]
    public async Task Of_many_simultaneous_approvals_exactly_the_required_two_count_and_the_rest_hear_it_closed()
    {
        var request = await RequestAsync(_team.ProductionId, Ada);
        var approvers = Enumerable
            .Range(1, 8)
            .Select(i => AuditActor.User($"approver{i}@example.test", $"approver{i}@example.test"))
            .ToArray();

        var outcomes = await Task.WhenAll(
            approvers.Select(a => Task.Run(() => _promotion.ApproveAsync(request, a, cancellationToken: Ct)))
        );

        // Exactly the two approvals the policy asks for count, the switch turns once, and every other approver is told
        // the request is closed: nobody's approval is lost to a race, nobody's is counted after the switch.
        await using var db = _database.CreateDbContext();
        Assert.Equal(2, await db.PromotionApprovals.CountAsync(a => a.RequestId == request, Ct));
        Assert.Equal(2, outcomes.Count(o => o is PromotionOutcome.Done));
        Assert.Equal(6, outcomes.Count(o => o is PromotionOutcome.Refused { Code: "closed" }));
        var audit = await AuditAsync();
        Assert.Equal(2, audit.Count(a => a == "promotion.approved"));
        Assert.Equal(1, audit.Count(a => a == "promotion.continuous"));
        Assert.Equal(PromotionMode.Continuous, (await EnvironmentAsync(_team.ProductionId)).PromotionMode);
    }

    [Fact]
    public async Task Of_many_simultaneous_pauses_exactly_one_wins_and_the_others_see_it()
    {
        await SetModeAsync(_team.ProductionId, PromotionMode.Continuous);
        var environment = await EnvironmentAsync(_team.ProductionId);

        var pauses = await Task.WhenAll(
            Enumerable
                .Range(0, 8)
                .Select(i =>
                    Task.Run(() =>
                        _promotion.PauseAsync(
                            environment.Id,
                            environment.ConcurrencyStamp,
                            AuditActor.User($"p{i}@example.test", $"p{i}@example.test"),
                            "stop",
                            Ct
                        )
                    )
                )
        );

        Assert.Single(pauses, p => p is PromotionOutcome.Done);
        Assert.All(pauses.Where(p => p is not PromotionOutcome.Done), p =>
            Assert.Equal(PromotionMode.Paused, Assert.IsType<PromotionOutcome.ChangedMeanwhile>(p).Current.Mode)
        );
        Assert.Equal(["promotion.paused"], await AuditAsync());
        Assert.Equal(PromotionMode.Paused, (await EnvironmentAsync(environment.Id)).PromotionMode);
    }

    [Fact]
    public async Task Each_approval_keeps_the_evidence_as_it_stood_with_its_hash_and_later_thresholds_never_rewrite_it()
    {
        await _database.AddCatchAsync(_team, _clock.GetUtcNow().UtcDateTime.AddDays(-2)); // 2 days; 7 asked
        var request = await RequestAsync(_team.StagingId, Ada);
        var seen = await new EvidenceSnapshot(_readiness, new WhatIfReplay(_database, _clock)).TakeAsync(
            _team.StagingId,
            0,
            Ct
        );

        Assert.IsType<PromotionOutcome.Done>(
            await _promotion.ApproveAsync(request, Ben, "watched closely", seen.Hash, Ct)
        );

        await using (var db = _database.CreateDbContext())
            await db
                .Environments.Where(e => e.Id == _team.StagingId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ReadinessMinDaysSinceCatch, 1), Ct);
        await using var check = _database.CreateDbContext();
        var approval = await check.PromotionApprovals.SingleAsync(Ct);
        var kept = ApprovalEvidence.FromJson(approval.Evidence)!;
        Assert.Equal(seen.ToJson(), approval.Evidence);
        Assert.Equal(
            Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(approval.Evidence!))
            ),
            approval.EvidenceHash
        );
        var days = Assert.Single(kept.Criteria, c => c.Key == "days-since-catch");
        Assert.Equal(("2 days", "≥ 7 days", false), (days.Measured, days.Threshold, days.Passed));
        Assert.Equal(0, kept.WhatIf!.SoakMinutes);
        var audit = await check.AuditEntries.SingleAsync(a => a.Action == "promotion.approved-with-override", Ct);
        Assert.StartsWith($"evidence sha256:{approval.EvidenceHash![..16]} · ", audit.Evidence);
        Assert.Contains("FAIL Days since the last catch: 2 days (≥ 7 days)", audit.Evidence);
        Assert.Contains("what if, last 90 days at 0 min:", audit.Evidence);
    }

    [Fact]
    public async Task Evidence_that_changed_since_the_approver_looked_approves_nothing()
    {
        var request = await RequestAsync(_team.StagingId, Ada);
        var seen = await new EvidenceSnapshot(_readiness, new WhatIfReplay(_database, _clock)).TakeAsync(
            _team.StagingId,
            0,
            Ct
        );
        await _database.AddCatchAsync(_team, _clock.GetUtcNow().UtcDateTime.AddHours(-1)); // a catch meanwhile

        Assert.Equal("evidence-changed", Refusal(await _promotion.ApproveAsync(request, Ben, "ok", seen.Hash, Ct)));

        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.PromotionApprovals.CountAsync(Ct));
        Assert.DoesNotContain("promotion.approved-with-override", await AuditAsync());
    }

    [Fact]
    public async Task Evidence_does_not_change_by_itself_while_an_approver_reads_it()
    {
        var request = await RequestAsync(_team.StagingId, Ada);
        var snapshot = new EvidenceSnapshot(_readiness, new WhatIfReplay(_database, _clock));
        var seen = await snapshot.TakeAsync(_team.StagingId, 0, Ct);

        _clock.Advance(TimeSpan.FromMinutes(95)); // a long read, across the hour; the rollback stays two days back

        Assert.Equal(seen.Hash, (await snapshot.TakeAsync(_team.StagingId, 0, Ct)).Hash);
        Assert.IsType<PromotionOutcome.Done>(await _promotion.ApproveAsync(request, Ben, "ok", seen.Hash, Ct));
        var rollback = (await _readiness.EvaluateAsync(_team.StagingId, Ct)).Criteria.Single(c =>
            c.Key == "rollback-proven"
        );
        Assert.Equal("5 min, on 2026-11-18", rollback.Measured);
    }

    [Fact]
    public async Task Approving_while_a_criterion_fails_needs_a_written_override_reason()
    {
        // 2 days since a catch; 7 asked
        await _database.AddCatchAsync(_team, _clock.GetUtcNow().UtcDateTime.AddDays(-2));
        var request = await RequestAsync(_team.StagingId, Ada);

        var refused = Assert.IsType<PromotionOutcome.Refused>(
            await _promotion.ApproveAsync(request, Ben, cancellationToken: Ct)
        );
        Assert.Equal("override-required", refused.Code);
        Assert.Contains("Days since the last catch 2 days (needs ≥ 7 days)", refused.Message);

        Assert.IsType<PromotionOutcome.Done>(
            await _promotion.ApproveAsync(request, Ben, "hotfix train, watched by two of us", cancellationToken: Ct)
        );
        Assert.Equal(PromotionMode.Continuous, (await EnvironmentAsync(_team.StagingId)).PromotionMode);
        Assert.Contains("promotion.approved-with-override", await AuditAsync());
        await using var db = _database.CreateDbContext();
        Assert.Equal(
            "hotfix train, watched by two of us",
            (await db.PromotionApprovals.SingleAsync(Ct)).OverrideReason
        );
    }

    [Fact]
    public async Task The_evidence_measures_each_criterion_for_the_service_against_the_environments_thresholds()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        await _database.AddCatchAsync(_team, now.AddDays(-10));
        await _database.AddIncidentAsync(_team, now.AddDays(-20), now.AddDays(-20).AddMinutes(30));
        // MTTR (30 + 90) / 2 = 60 min
        await _database.AddIncidentAsync(_team, now.AddDays(-10), now.AddDays(-10).AddMinutes(90));
        await using (var db = _database.CreateDbContext())
        {
            for (var i = 0; i < 10; i++)
                db.Deployments.Add(
                    new Deployment
                    {
                        ServiceId = _team.ServiceId,
                        EnvironmentId = _team.ProductionId,
                        Version = $"v{i}",
                        StartedAt = now.AddDays(-i - 1).AddMinutes(-5),
                        FinishedAt = now.AddDays(-i - 1),
                        Outcome = i < 2 ? DeploymentOutcome.RolledBack : DeploymentOutcome.Succeeded,
                        Source = "test",
                    }
                );
            await db.SaveChangesAsync(Ct);
        }

        var evidence = await _readiness.EvaluateAsync(_team.ProductionId, Ct);
        var byKey = evidence.Criteria.ToDictionary(c => c.Key);

        Assert.Equal(("10 days", true), (byKey["days-since-catch"].Measured, byKey["days-since-catch"].Passed));
        Assert.Equal(("60 min", true), (byKey["mttr"].Measured, byKey["mttr"].Passed)); // ≤ 60 min passes
        Assert.Equal(
            ("20 % (2 / 10)", false),
            (byKey["change-failure-rate"].Measured, byKey["change-failure-rate"].Passed)
        ); // > 15 %
        Assert.True(byKey["rollback-proven"].Passed);
        Assert.True(byKey["no-open-failure"].Passed);
        Assert.False(evidence.AllPass);

        await _database.AddIncidentAsync(_team, now.AddMinutes(-5), null);
        Assert.False(
            (await _readiness.EvaluateAsync(_team.ProductionId, Ct))
                .Criteria.Single(c => c.Key == "no-open-failure")
                .Passed
        );
    }

    [Fact]
    public async Task A_rollback_that_is_too_old_or_too_slow_proves_nothing()
    {
        await using (var db = _database.CreateDbContext())
        {
            await db.Deployments.Where(d => d.Kind == DeploymentKind.Rollback).ExecuteDeleteAsync(Ct);
            db.Deployments.Add(Rollback(_team, _clock.GetUtcNow().UtcDateTime.AddDays(-40), TimeSpan.FromMinutes(5)));
            db.Deployments.Add(Rollback(_team, _clock.GetUtcNow().UtcDateTime.AddDays(-3), TimeSpan.FromMinutes(25)));
            await db.SaveChangesAsync(Ct);
        }

        var criterion = (await _readiness.EvaluateAsync(_team.ProductionId, Ct)).Criteria.Single(c =>
            c.Key == "rollback-proven"
        );

        Assert.False(criterion.Passed);
        Assert.StartsWith("25 min", criterion.Measured);
    }
}
