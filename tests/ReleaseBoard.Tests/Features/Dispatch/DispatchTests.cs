using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Dispatch;

/// <summary>
/// Continuous means ReleaseBoard starts the promotion itself: a version that soaked in staging goes to the receiver
/// once, signed, with its idempotency key; against real HTTP on loopback, on a fixed clock.
/// </summary>
public sealed class DispatchTests : IAsyncLifetime
{
    private const string Secret = "a signing secret of the receiver";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Wednesday 2 December 2026, 10:00 UTC.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly DispatchOptions _options = new() { MaxAttempts = 3 };
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;
    private DispatchTargets _targets = null!;
    private PromotionGate _gate = null!;
    private IHttpClientFactory _http = null!;

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        await using (var db = _database.CreateDbContext())
        {
            var production = await db.Environments.SingleAsync(e => e.Id == _team.ProductionId, Ct);
            (production.PromotionMode, production.SoakMinutes) = (PromotionMode.Continuous, 30);
            await db.SaveChangesAsync(Ct);
        }
        _targets = new DispatchTargets(_database, new EphemeralDataProtectionProvider(), _clock);
        _gate = new PromotionGate(
            _database,
            _clock,
            new FixedOptionsMonitor<PromotionOptions>(new PromotionOptions()),
            new DeploymentWindows(_database, _clock)
        );
        _http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private DispatchScanner Scanner() =>
        new(_database, _gate, _clock, Options.Create(new TransportOptions()), NullLogger<DispatchScanner>.Instance);

    private OutboxSender Sender() =>
        new(
            _database,
            _gate,
            _targets,
            new ReceiverClient(_http, new FixedOptionsMonitor<DispatchOptions>(_options)),
            _clock,
            new FixedOptionsMonitor<DispatchOptions>(_options),
            NullLogger<OutboxSender>.Instance,
            []
        );

    private async Task TargetAsync(LoopbackReceiver receiver) =>
        Assert.True(
            (await _targets.SetHttpAsync(AuditActor.System, _team.ProductionId, receiver.Url, Secret, Ct)).Succeeded
        );

    private async Task PassedStagingAsync(string version, int minutesAgo)
    {
        await using var db = _database.CreateDbContext();
        var finished = Now.AddMinutes(-minutesAgo);
        db.Deployments.Add(
            new Deployment
            {
                ServiceId = _team.ServiceId,
                EnvironmentId = _team.StagingId,
                Version = version,
                CommitSha = "9fceb02d0ae598e95dc970b74767f19372d61af8",
                StartedAt = finished.AddMinutes(-3),
                FinishedAt = finished,
                Outcome = DeploymentOutcome.Succeeded,
                ReceivedAt = finished,
                OutcomeReceivedAt = finished,
                Source = "ci",
                ExternalId = version,
            }
        );
        await db.SaveChangesAsync(Ct);
    }

    private async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = _database.CreateDbContext();
        return await db.OutboxMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct);
    }

    private async Task<List<string>> AuditAsync()
    {
        await using var db = _database.CreateDbContext();
        return await db
            .AuditEntries.Where(a => a.Action.StartsWith("promotion.dispatch"))
            .OrderBy(a => a.Id)
            .Select(a => a.Action)
            .ToListAsync(Ct);
    }

    [Fact]
    public async Task A_version_that_soaked_is_dispatched_once_signed_with_its_idempotency_key()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);

        var queued = await Scanner().ScanAsync(Ct);
        var again = await Scanner().ScanAsync(Ct);
        var finished = await Sender().SendDueAsync(Ct);
        var more = await Sender().SendDueAsync(Ct);

        Assert.Equal((1, 0, 1, 0), (queued, again, finished, more));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal($"dispatch/{_team.ProductionId}/1.43.0", request.Headers["Idempotency-Key"]);
        Assert.Equal(await OpenSsl.HmacSha256Async(Secret, request.Raw, Ct), request.Headers[DispatchSignature.Header]);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("1.43.0", body.GetProperty("version").GetString());
        Assert.Equal("production", body.GetProperty("environment").GetString());
        Assert.Equal("payments-api", body.GetProperty("service").GetString());
        Assert.Equal("9fceb02d0ae598e95dc970b74767f19372d61af8", body.GetProperty("commit").GetString());
        Assert.Contains(body.GetProperty("why").EnumerateArray(), w => w.GetString()!.Contains("soaked in staging"));
        Assert.Equal(OutboxState.Sent, Assert.Single(await OutboxAsync()).State);
        Assert.Equal(["promotion.dispatch-queued", "promotion.dispatched"], await AuditAsync());
    }

    [Fact]
    public async Task A_soak_that_ends_later_is_noticed_by_the_next_scan()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 10);

        var early = await Scanner().ScanAsync(Ct);
        _clock.Advance(TimeSpan.FromMinutes(20));
        var soaked = await Scanner().ScanAsync(Ct);

        Assert.Equal((0, 1), (early, soaked));
    }

    [Fact]
    public async Task A_500_is_retried_after_the_backoff_with_the_same_key_and_a_4xx_fails_it()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(500, 422);
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);

        await Sender().SendDueAsync(Ct);
        var afterFirst = Assert.Single(await OutboxAsync());
        var tooSoon = await Sender().SendDueAsync(Ct);
        _clock.Advance(_options.FirstRetry);
        await Sender().SendDueAsync(Ct);

        Assert.Equal((OutboxState.Pending, 1, 500), (afterFirst.State, afterFirst.Attempts, afterFirst.LastStatus));
        Assert.Equal(Now, afterFirst.NextAttemptAt);
        Assert.Equal(0, tooSoon);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["Idempotency-Key"]).Distinct());
        var failed = Assert.Single(await OutboxAsync());
        Assert.Equal((OutboxState.Failed, 422), (failed.State, failed.LastStatus));
        Assert.Equal(["promotion.dispatch-queued", "promotion.dispatch-failed"], await AuditAsync());
    }

    [Fact]
    public async Task Out_of_retries_it_is_dead_lettered_and_an_admin_can_send_it_again()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(503, 503, 503);
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);

        for (var attempt = 0; attempt < _options.MaxAttempts; attempt++)
        {
            await Sender().SendDueAsync(Ct);
            _clock.Advance(TimeSpan.FromMinutes(10));
        }
        var dead = Assert.Single(await OutboxAsync());
        var retry = await new Outbox(_database, _clock).RetryAsync(AuditActor.System, dead.Id, Ct);
        await Sender().SendDueAsync(Ct);

        Assert.Equal(OutboxState.DeadLettered, dead.State);
        Assert.True(retry.Succeeded, retry.Error);
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal(OutboxState.Sent, Assert.Single(await OutboxAsync()).State);
    }

    [Fact]
    public async Task A_pause_that_arrives_before_the_send_cancels_the_dispatch()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);
        await using (var db = _database.CreateDbContext())
        {
            var production = await db.Environments.SingleAsync(e => e.Id == _team.ProductionId, Ct);
            production.PromotionMode = PromotionMode.Paused;
            await db.SaveChangesAsync(Ct);
        }

        await Sender().SendDueAsync(Ct);

        Assert.Empty(receiver.Requests);
        var cancelled = Assert.Single(await OutboxAsync());
        Assert.Equal(OutboxState.Cancelled, cancelled.State);
        Assert.Contains("paused", cancelled.LastError);
        Assert.Equal(["promotion.dispatch-queued", "promotion.dispatch-cancelled"], await AuditAsync());
    }

    [Fact]
    public async Task Two_instances_on_one_database_decide_and_send_a_version_once()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        var (one, two) = (Sender(), Sender());

        var queued = await Task.WhenAll(Scanner().ScanAsync(Ct), Scanner().ScanAsync(Ct));
        var sent = await Task.WhenAll(one.SendDueAsync(Ct), two.SendDueAsync(Ct), one.SendDueAsync(Ct));

        Assert.Equal(1, queued.Sum());
        Assert.Equal(1, sent.Sum());
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_lease_held_by_another_instance_is_respected_until_it_runs_out()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);
        var id = Assert.Single(await OutboxAsync()).Id;
        var (one, two) = (Sender(), Sender());

        // Both saw it due; the first claim wins, the second finds it taken.
        var claims = (await one.ClaimAsync(id, Now, Ct), await two.ClaimAsync(id, Now, Ct));
        var whileHeld = await two.SendDueAsync(Ct);
        _clock.Advance(_options.Lease + TimeSpan.FromSeconds(1));
        var afterLease = await two.SendDueAsync(Ct);

        Assert.Equal((true, false), claims);
        Assert.Equal((0, 1), (whileHeld, afterLease));
        Assert.Single(receiver.Requests);
    }

    private async Task SetProductionAsync(PromotionMode mode)
    {
        await using var db = _database.CreateDbContext();
        var production = await db.Environments.SingleAsync(e => e.Id == _team.ProductionId, Ct);
        production.PromotionMode = mode;
        await db.SaveChangesAsync(Ct);
    }

    private async Task DeployedToProductionAsync(string version, int minutesAgo)
    {
        await using var db = _database.CreateDbContext();
        db.Deployments.Add(
            new Deployment
            {
                ServiceId = _team.ServiceId,
                EnvironmentId = _team.ProductionId,
                Version = version,
                StartedAt = Now.AddMinutes(-minutesAgo),
                FinishedAt = Now.AddMinutes(-minutesAgo + 2),
                Outcome = DeploymentOutcome.Succeeded,
                ReceivedAt = Now,
                OutcomeReceivedAt = Now,
                Source = "ci",
                ExternalId = version + "-production",
            }
        );
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task A_version_cancelled_by_a_pause_goes_once_the_pause_is_over()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);
        await SetProductionAsync(PromotionMode.Paused);
        await Sender().SendDueAsync(Ct);

        await SetProductionAsync(PromotionMode.Continuous);
        var queued = await Scanner().ScanAsync(Ct);
        await Sender().SendDueAsync(Ct);

        Assert.Equal(1, queued);
        Assert.Equal(
            $"dispatch/{_team.ProductionId}/1.43.0",
            Assert.Single(receiver.Requests).Headers["Idempotency-Key"]
        );
        Assert.Equal([OutboxState.Cancelled, OutboxState.Sent], (await OutboxAsync()).Select(m => m.State));
    }

    [Fact]
    public async Task A_version_that_passed_while_the_last_one_soaked_is_promoted_after_it_and_an_older_one_never()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.41.0", minutesAgo: 300);
        await PassedStagingAsync("1.42.0", minutesAgo: 60);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        // 1.42.0 was promoted 20 minutes ago, after 1.43.0 had passed staging.
        await DeployedToProductionAsync("1.42.0", minutesAgo: 20);

        var queued = await Scanner().ScanAsync(Ct);
        await Sender().SendDueAsync(Ct);
        var again = await Scanner().ScanAsync(Ct);

        Assert.Equal((1, 0), (queued, again));
        Assert.Contains("\"version\":\"1.43.0\"", Assert.Single(receiver.Requests).Body);
    }

    [Fact]
    public async Task A_window_that_closes_before_the_send_cancels_the_dispatch()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await TargetAsync(receiver);
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);
        await new DeploymentWindows(_database, _clock).ScheduleFreezeAsync(
            AuditActor.System,
            FreezeScope.Everyone,
            Now.AddMinutes(-1),
            Now.AddHours(1),
            "incident review",
            Ct
        );

        await Sender().SendDueAsync(Ct);

        Assert.Empty(receiver.Requests);
        var cancelled = Assert.Single(await OutboxAsync());
        Assert.Equal(OutboxState.Cancelled, cancelled.State);
        Assert.Contains("incident review", cancelled.LastError);
    }

    [Fact]
    public async Task The_same_decision_made_twice_at_once_is_stored_once()
    {
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        var payload = new DispatchPayload(
            "promotion.dispatch",
            "payments",
            "payments-api",
            "production",
            "1.43.0",
            null,
            "staging",
            Now,
            30,
            [],
            null,
            DispatchScanner.KeyOf(_team.ProductionId, "1.43.0"),
            Now
        );

        var first = await Scanner().EnqueueAsync(_team.ProductionId, _team.TeamId, payload, Ct);
        var second = await Scanner().EnqueueAsync(_team.ProductionId, _team.TeamId, payload, Ct);

        Assert.Equal((true, false), (first, second));
        Assert.Single(await OutboxAsync());
        Assert.Equal(["promotion.dispatch-queued"], await AuditAsync());
    }

    [Fact]
    public async Task A_GitHub_target_gets_a_workflow_dispatch_with_ref_and_inputs_as_GitHubs_REST_API_documents()
    {
        // GitHub answers 204 No Content to POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches.
        await using var github = await LoopbackReceiver.StartAsync(204);
        (_options.GitHub.BaseUrl, _options.GitHub.Token) = (github.BaseUrl, "ghs_a_token_from_configuration");
        Assert.True(
            (
                await _targets.SetGitHubAsync(
                    AuditActor.System,
                    _team.ProductionId,
                    "acme/payments-api",
                    "deploy.yml",
                    "main",
                    Ct
                )
            ).Succeeded
        );
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);

        await Sender().SendDueAsync(Ct);

        var request = Assert.Single(github.Requests);
        Assert.Equal("/repos/acme/payments-api/actions/workflows/deploy.yml/dispatches", request.Path);
        Assert.Equal("Bearer ghs_a_token_from_configuration", request.Headers["Authorization"]);
        Assert.Equal("application/vnd.github+json", request.Headers["Accept"]);
        Assert.Equal("2022-11-28", request.Headers["X-GitHub-Api-Version"]);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("main", body.GetProperty("ref").GetString());
        var inputs = body.GetProperty("inputs");
        Assert.Equal("1.43.0", inputs.GetProperty("version").GetString());
        Assert.Equal("production", inputs.GetProperty("environment").GetString());
        Assert.Equal($"dispatch/{_team.ProductionId}/1.43.0", inputs.GetProperty("idempotency_key").GetString());
        Assert.Equal(OutboxState.Sent, Assert.Single(await OutboxAsync()).State);
    }

    [Fact]
    public async Task A_GitLab_target_gets_a_pipeline_trigger_with_token_ref_and_variables_as_a_form()
    {
        // GitLab answers 201 Created to POST /api/v4/projects/:id/trigger/pipeline (token, ref, variables[KEY]).
        await using var gitlab = await LoopbackReceiver.StartAsync(201);
        _options.GitLab.BaseUrl = gitlab.BaseUrl;
        Assert.True(
            (
                await _targets.SetGitLabAsync(
                    AuditActor.System,
                    _team.ProductionId,
                    "acme/payments",
                    "main",
                    "glptt-a-trigger-token",
                    Ct
                )
            ).Succeeded
        );
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);

        await Sender().SendDueAsync(Ct);

        var request = Assert.Single(gitlab.Requests);
        Assert.Equal("/api/v4/projects/acme%2Fpayments/trigger/pipeline", request.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["Content-Type"]);
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body);
        Assert.Equal("glptt-a-trigger-token", form["token"]);
        Assert.Equal("main", form["ref"]);
        Assert.Equal("1.43.0", form["variables[RELEASEBOARD_VERSION]"]);
        Assert.Equal("production", form["variables[RELEASEBOARD_ENVIRONMENT]"]);
        Assert.Equal(OutboxState.Sent, Assert.Single(await OutboxAsync()).State);
    }

    [Fact]
    public async Task A_GitHub_target_without_a_configured_token_fails_with_the_setting_named()
    {
        await using var github = await LoopbackReceiver.StartAsync();
        _options.GitHub.BaseUrl = github.BaseUrl;
        await _targets.SetGitHubAsync(
            AuditActor.System,
            _team.ProductionId,
            "acme/payments-api",
            "deploy.yml",
            "main",
            Ct
        );
        await PassedStagingAsync("1.43.0", minutesAgo: 40);
        await Scanner().ScanAsync(Ct);

        await Sender().SendDueAsync(Ct);

        Assert.Empty(github.Requests);
        var failed = Assert.Single(await OutboxAsync());
        Assert.Equal(OutboxState.Failed, failed.State);
        Assert.Contains("Dispatch:GitHub:Token", failed.LastError);
    }
}
