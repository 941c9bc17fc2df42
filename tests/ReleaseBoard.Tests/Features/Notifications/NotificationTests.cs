using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Features.Dispatch;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Notifications;

/// <summary>
/// People hear what happened: each event as Slack, Teams and our signed JSON want it, through the outbox, against real
/// HTTP receivers on loopback, on a fixed clock.
/// </summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private const string Secret = "a signing secret of the receiver";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Wednesday 2 December 2026, 10:00 UTC.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly DispatchOptions _options = new();
    private readonly EphemeralDataProtectionProvider _protection = new();
    private SqliteTestDatabase _database = null!;
    private TestTeam _team = null!;
    private NotificationTargets _targets = null!;
    private IHttpClientFactory _http = null!;

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _team = await _database.AddTeamAsync();
        await using (var db = _database.CreateDbContext())
        {
            foreach (var environment in await db.Environments.ToListAsync(Ct))
                if (environment.Name is "staging" or "production")
                    environment.PromotionMode = PromotionMode.Continuous;
            await db.SaveChangesAsync(Ct);
        }
        _http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        _targets = new NotificationTargets(
            _database,
            _protection,
            new ReceiverClient(_http, new FixedOptionsMonitor<DispatchOptions>(_options)),
            _clock
        );
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private OutboxSender Sender() =>
        new(
            _database,
            new PromotionGate(
                _database,
                _clock,
                new FixedOptionsMonitor<PromotionOptions>(new PromotionOptions()),
                new DeploymentWindows(_database, _clock)
            ),
            new DispatchTargets(_database, _protection, _clock),
            new ReceiverClient(_http, new FixedOptionsMonitor<DispatchOptions>(_options)),
            _clock,
            new FixedOptionsMonitor<DispatchOptions>(_options),
            NullLogger<OutboxSender>.Instance,
            [_targets]
        );

    private async Task<int> AddAsync(
        LoopbackReceiver receiver,
        NotificationKind kind,
        string path,
        int? teamId = -1,
        string[]? events = null
    )
    {
        var added = await _targets.AddAsync(
            AuditActor.System,
            teamId == -1 ? _team.TeamId : teamId,
            kind,
            $"#{path}",
            $"{receiver.BaseUrl}/{path}",
            events,
            kind == NotificationKind.Json ? Secret : null,
            Ct
        );
        Assert.True(added.Succeeded, added.Error);
        return added.Value.Id;
    }

    private async Task IncidentAsync(string title)
    {
        await using var db = _database.CreateDbContext();
        await TestPromotion.Service(_database, _clock).PauseForIncidentAsync(db, _team.ServiceId, 1, title, Ct);
    }

    private async Task<List<LoopbackReceiver.Received>> SendAllAsync(LoopbackReceiver receiver)
    {
        while (await Sender().SendDueAsync(Ct) > 0) { }
        return receiver.Requests.ToList();
    }

    private static JsonNode Json(LoopbackReceiver.Received request) => JsonNode.Parse(request.Body)!;

    [Fact]
    public async Task An_incident_that_pauses_two_environments_is_one_Slack_message_with_blocks()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Slack, "slack");

        await IncidentAsync("Checkout <!channel> returns 500 & worse");
        var received = await SendAllAsync(receiver);

        var request = Assert.Single(received);
        Assert.Equal("/slack", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        var body = Json(request);
        // Slack's incoming webhook: a fallback text and Block Kit blocks, as its reference describes them.
        var blocks = body["blocks"]!.AsArray();
        Assert.Equal(
            ["header", "section", "section", "section", "context"],
            blocks.Select(b => (string)b!["type"]!).ToArray()
        );
        Assert.Equal("plain_text", (string)blocks[0]!["text"]!["type"]!);
        Assert.Equal("Promotion paused by an incident (2 environments)", (string)blocks[0]!["text"]!["text"]!);
        var section = (string)blocks[1]!["text"]!["text"]!;
        Assert.Equal("mrkdwn", (string)blocks[1]!["text"]!["type"]!);
        // Escaped as Slack asks: the title cannot ping the channel.
        Assert.Contains("Checkout &lt;!channel&gt; returns 500 &amp; worse", section);
        Assert.DoesNotContain("<!channel>", request.Body);
        Assert.Contains("payments-api → staging, payments-api → production", section);
        Assert.Equal(
            ["*Team*\nPayments", "*Where*\npayments-api → staging, payments-api → production"],
            blocks[2]!["fields"]!.AsArray().Select(f => (string)f!["text"]!).ToArray()
        );
        Assert.Equal(
            $"<{SqliteTestDatabase.PublicBase}pipelines?team=payments|Open the pipelines>",
            (string)blocks[3]!["text"]!["text"]!
        );
        Assert.StartsWith("Promotion paused by an incident", (string)body["text"]!);
        Assert.StartsWith("notify/", request.Headers[OutboxSender.IdempotencyHeader]);
    }

    [Fact]
    public async Task Teams_gets_a_Workflows_message_holding_an_Adaptive_Card()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Teams, "teams");

        await TestPromotion
            .Service(_database, _clock)
            .StopTheLineAsync(_team.TeamId, AuditActor.User("u1", "Ada"), "Payments are failing", Ct);
        var request = Assert.Single(await SendAllAsync(receiver));

        // The envelope the "post to a channel when a webhook request is received" workflow documents.
        var body = Json(request);
        Assert.Equal("message", (string)body["type"]!);
        var attachment = Assert.Single(body["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string)attachment["contentType"]!);
        Assert.Null(attachment["contentUrl"]);
        Assert.True(attachment.AsObject().ContainsKey("contentUrl"));
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", (string)card["type"]!);
        Assert.Equal("1.4", (string)card["version"]!);
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", (string)card["$schema"]!);
        var items = card["body"]!.AsArray();
        Assert.Equal(["TextBlock", "TextBlock", "FactSet"], items.Select(i => (string)i!["type"]!).ToArray());
        Assert.Equal("The line is stopped (2 environments paused)", (string)items[0]!["text"]!);
        Assert.Equal(
            "Ada stopped the line: Payments are failing. Paused: payments-api → staging, "
                + "payments-api → production.",
            (string)items[1]!["text"]!
        );
        Assert.Equal("Team", (string)items[2]!["facts"]![0]!["title"]!);
        var action = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", (string)action["type"]!);
        Assert.Equal($"{SqliteTestDatabase.PublicBase}pipelines?team=payments", (string)action["url"]!);
    }

    [Fact]
    public async Task Generic_JSON_is_signed_and_a_request_waiting_links_to_where_it_is_approved()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Json, "json");
        await using (var db = _database.CreateDbContext())
        {
            var production = await db.Environments.SingleAsync(e => e.Id == _team.ProductionId, Ct);
            production.PromotionMode = PromotionMode.Manual;
            await db.SaveChangesAsync(Ct);
        }
        var stamp = await StampAsync(_team.ProductionId);

        var asked = await TestPromotion
            .Service(_database, _clock)
            .RequestContinuousAsync(_team.ProductionId, stamp, AuditActor.User("u1", "Ada"), "Soaks are green", Ct);
        Assert.IsType<PromotionOutcome.Done>(asked);
        var request = Assert.Single(await SendAllAsync(receiver));

        Assert.Equal(await OpenSsl.HmacSha256Async(Secret, request.Raw, Ct), request.Headers[DispatchSignature.Header]);
        var body = Json(request);
        Assert.Equal("approval-waiting", (string)body["event"]!);
        Assert.Equal("payments", (string)body["team"]!);
        Assert.Equal("Waiting for approval: payments-api → production to Continuous", (string)body["title"]!);
        Assert.Equal($"{SqliteTestDatabase.PublicBase}pipelines?team=payments", (string)body["link"]!);
        Assert.Equal("2026-12-02T10:00:00Z", (string)body["occurredAt"]!);
        Assert.Equal(request.Headers[OutboxSender.IdempotencyHeader], (string)body["idempotencyKey"]!);
        Assert.Contains("Ada asks for continuous promotion: Soaks are green.", (string)body["text"]!);
    }

    private async Task<Guid> StampAsync(int environmentId)
    {
        await using var db = _database.CreateDbContext();
        return await db.Environments.Where(e => e.Id == environmentId).Select(e => e.ConcurrencyStamp).SingleAsync(Ct);
    }

    [Fact]
    public async Task A_request_that_expires_and_one_approved_to_Continuous_are_told()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(
            receiver,
            NotificationKind.Json,
            "json",
            events:
            [
                NotificationEvents.RequestExpired,
                NotificationEvents.NowContinuous,
                NotificationEvents.OverrideUsed,
            ]
        );
        await using (var db = _database.CreateDbContext())
        {
            foreach (var environment in await db.Environments.ToListAsync(Ct))
                (environment.PromotionMode, environment.RequiredApprovals) = (PromotionMode.Manual, 1);
            await db.SaveChangesAsync(Ct);
        }
        var promotion = TestPromotion.Service(_database, _clock);
        var ada = AuditActor.User("u1", "Ada");
        await promotion.RequestContinuousAsync(_team.StagingId, await StampAsync(_team.StagingId), ada, "Green", Ct);
        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await promotion.ExpireDueRequestsAsync(Ct));
        var second = await promotion.RequestContinuousAsync(
            _team.StagingId,
            await StampAsync(_team.StagingId),
            ada,
            "Green again",
            Ct
        );
        var approved = await promotion.ApproveAsync(
            ((PromotionOutcome.Done)second).RequestId!.Value,
            AuditActor.User("u2", "Grace"),
            "Known risk",
            null,
            Ct
        );
        Assert.IsType<PromotionOutcome.Done>(approved);

        var bodies = (await SendAllAsync(receiver)).Select(Json).ToList();

        // Only what the target asked for, not the requests themselves; the evidence of a new service fails, so the
        // approval overrode it, and people hear of that with the reason.
        Assert.Equal(
            ["request-expired", "override-used", "now-continuous"],
            bodies.Select(b => (string)b["event"]!).ToArray()
        );
        Assert.Equal("Approved with an override: payments-api → staging", (string)bodies[1]["title"]!);
        Assert.StartsWith(
            "Grace approved although the evidence fails. Override: Known risk. Evidence: ",
            (string)bodies[1]["text"]!
        );
    }

    [Fact]
    public async Task A_receiver_down_for_an_hour_gets_everything_once_and_in_order_when_it_is_back()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Json, "json");
        var back = Now.AddHours(1);
        receiver.Respond = () => Now < back ? 503 : 200;
        for (var i = 1; i <= 3; i++)
        {
            await TestPromotion
                .Service(_database, _clock)
                .StopTheLineAsync(_team.TeamId, AuditActor.User("u1", "Ada"), $"stop {i}", Ct);
            await using var db = _database.CreateDbContext();
            foreach (var environment in await db.Environments.ToListAsync(Ct))
                environment.PromotionMode = PromotionMode.Continuous;
            await db.SaveChangesAsync(Ct);
        }

        // The default budget on the fixed clock: each round moves time to the next attempt of the oldest message.
        var rounds = 0;
        while (rounds++ < 100)
        {
            await Sender().SendDueAsync(Ct);
            await using var db = _database.CreateDbContext();
            var next = await db
                .OutboxMessages.Where(m => m.State == OutboxState.Pending)
                .OrderBy(m => m.Id)
                .Select(m => (DateTime?)m.NextAttemptAt)
                .FirstOrDefaultAsync(Ct);
            if (next is null)
                break;
            if (next > Now)
                _clock.Advance(next.Value - Now);
        }

        var delivered = receiver.Requests.Where(r => r.Status == 200).ToList();
        Assert.Equal(
            ["stop 1", "stop 2", "stop 3"],
            delivered.Select(r => ((string)Json(r)["text"]!).Split(": ")[1].Split('.')[0]).ToArray()
        );
        Assert.Equal(3, delivered.Select(r => r.Headers[OutboxSender.IdempotencyHeader]).Distinct().Count());
        // Only the first waited: the others were never sent before it, so order held.
        Assert.All(receiver.Requests.Where(r => r.Status != 200), r => Assert.Contains("stop 1", r.Body));
        Assert.InRange(Now - back, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        await using var check = _database.CreateDbContext();
        Assert.All(await check.OutboxMessages.ToListAsync(Ct), m => Assert.Equal(OutboxState.Sent, m.State));
    }

    [Fact]
    public async Task Past_the_retry_budget_a_notification_is_dead_lettered_visible_and_an_Admin_retry_sends_it()
    {
        _options.MaxAttempts = 3;
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Slack, "slack");
        receiver.Respond = () => 500;
        await IncidentAsync("Down");

        for (var i = 0; i < 3; i++)
        {
            await Sender().SendDueAsync(Ct);
            _clock.Advance(TimeSpan.FromMinutes(10));
        }
        await using (var db = _database.CreateDbContext())
        {
            var message = await db.OutboxMessages.SingleAsync(Ct);
            Assert.Equal((OutboxState.DeadLettered, 3), (message.State, message.Attempts));
            Assert.Contains("gave up after 3 attempts: HTTP 500", message.LastError);
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "notification.failed", Ct));
        }
        var listed = await new Outbox(_database, _clock).ListAsync(10, Ct);
        Assert.Equal(OutboxState.DeadLettered, Assert.Single(listed).State);

        receiver.Respond = () => 200;
        var retried = await new Outbox(_database, _clock).RetryAsync(
            AuditActor.User("admin", "Admin"),
            listed[0].Id,
            Ct
        );
        Assert.True(retried.Succeeded);
        Assert.Equal(1, await Sender().SendDueAsync(Ct));
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal(200, receiver.Requests.Last().Status);
    }

    [Fact]
    public async Task Two_senders_on_one_database_deliver_each_notification_once()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        for (var t = 0; t < 4; t++)
            await AddAsync(receiver, NotificationKind.Json, $"json{t}");
        for (var i = 0; i < 5; i++)
        {
            await TestPromotion
                .Service(_database, _clock)
                .StopTheLineAsync(_team.TeamId, AuditActor.User("u1", "Ada"), $"stop {i}", Ct);
            await using var db = _database.CreateDbContext();
            foreach (var environment in await db.Environments.ToListAsync(Ct))
                environment.PromotionMode = PromotionMode.Continuous;
            await db.SaveChangesAsync(Ct);
        }

        var (one, two) = (Sender(), Sender());
        for (var round = 0; round < 10; round++)
            await Task.WhenAll(one.SendDueAsync(Ct), two.SendDueAsync(Ct));

        var keys = receiver.Requests.Select(r => r.Headers[OutboxSender.IdempotencyHeader]).ToList();
        Assert.Equal(20, keys.Count);
        Assert.Equal(20, keys.Distinct().Count());
        // In order per target, whichever instance sent it.
        foreach (var target in receiver.Requests.GroupBy(r => r.Path))
            Assert.Equal(
                ["stop 0", "stop 1", "stop 2", "stop 3", "stop 4"],
                target.Select(r => ((string)Json(r)["text"]!).Split(": ")[1].Split('.')[0]).ToArray()
            );
    }

    [Fact]
    public async Task A_freeze_is_told_when_it_starts_and_when_it_is_cancelled_once_each_for_everyone()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Json, "json", teamId: _team.TeamId);
        var windows = new DeploymentWindows(_database, _clock);
        var scheduled = await windows.ScheduleFreezeAsync(
            AuditActor.User("u1", "Ada"),
            new FreezeScope(null, null),
            Now.AddMinutes(30),
            Now.AddHours(5),
            "Black Friday",
            Ct
        );
        Assert.True(scheduled.Succeeded, scheduled.Error);
        var watch = new NotificationWatch(_database, _clock, NullLogger<NotificationWatch>.Instance);

        Assert.Equal(0, await watch.WatchAsync(false, Ct)); // not yet
        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, await watch.WatchAsync(false, Ct));
        Assert.Equal(0, await watch.WatchAsync(false, Ct));
        await windows.CancelFreezeAsync(AuditActor.User("u2", "Grace"), scheduled.Value, Ct);
        Assert.Equal(1, await watch.WatchAsync(false, Ct));
        Assert.Equal(0, await watch.WatchAsync(false, Ct));

        var bodies = (await SendAllAsync(receiver)).Select(Json).ToList();
        Assert.Equal(["freeze-started", "freeze-ended"], bodies.Select(b => (string)b["event"]!).ToArray());
        Assert.Equal("Freeze started: every team until 2026-12-02 15:00 UTC", (string)bodies[0]["title"]!);
        Assert.Equal("No promotion until it ends: Black Friday.", (string)bodies[0]["text"]!);
        Assert.Equal("Cancelled by Grace; promotion follows its windows again.", (string)bodies[1]["text"]!);
    }

    [Fact]
    public async Task A_record_streak_beaten_is_told_once_in_the_teams_days()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Json, "json");
        // Catches on 20 and 23 November (Berlin): the longest run before is 3 days; from 23 November, 2 December is 9.
        await using (var db = _database.CreateDbContext())
        {
            foreach (var day in new[] { 20, 23 })
                db.Catches.Add(
                    new Catch
                    {
                        ServiceId = _team.ServiceId,
                        EnvironmentId = _team.StagingId,
                        Title = $"caught on {day}",
                        Severity = 2,
                        CaughtAt = new DateTime(2026, 11, day, 12, 0, 0, DateTimeKind.Utc),
                        RecordedAt = new DateTime(2026, 11, day, 12, 0, 0, DateTimeKind.Utc),
                        ReportedBy = "qa",
                        Source = "test",
                    }
                );
            await db.SaveChangesAsync(Ct);
        }
        var watch = new NotificationWatch(_database, _clock, NullLogger<NotificationWatch>.Instance);

        Assert.Equal(1, await watch.WatchAsync(true, Ct));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await watch.WatchAsync(true, Ct));

        var body = Json(Assert.Single(await SendAllAsync(receiver)));
        Assert.Equal("record-beaten", (string)body["event"]!);
        Assert.Equal("A new record: 9 days", (string)body["title"]!);
        Assert.Equal(
            "9 days since we were really glad we didn't deploy live: the longest run before was 3 days.",
            (string)body["text"]!
        );
        Assert.Equal($"{SqliteTestDatabase.PublicBase}wall/payments", (string)body["link"]!);
    }

    [Fact]
    public async Task A_failed_dispatch_is_told_and_a_target_of_another_team_hears_nothing()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var other = await _database.AddTeamAsync("billing");
        await AddAsync(receiver, NotificationKind.Slack, "other", teamId: other.TeamId);
        await AddAsync(receiver, NotificationKind.Slack, "ours");
        await using (var db = _database.CreateDbContext())
        {
            db.AuditEntries.Add(
                AuditActor.System.Entry(
                    Now,
                    "promotion.dispatch-failed",
                    $"environment/{_team.ProductionId}",
                    _team.TeamId,
                    after: "1.43.0: Failed (HTTP 403)",
                    reason: "refused: HTTP 403"
                )
            );
            await db.SaveChangesAsync(Ct);
        }

        var request = Assert.Single(await SendAllAsync(receiver));

        Assert.Equal("/ours", request.Path);
        Assert.Equal(
            "Dispatch failed: payments-api → production",
            (string)Json(request)["blocks"]![0]!["text"]!["text"]!
        );
    }

    [Fact]
    public async Task Markdown_in_a_reason_cannot_become_a_link_on_a_Teams_card()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Teams, "teams");

        await TestPromotion
            .Service(_database, _clock)
            .StopTheLineAsync(
                _team.TeamId,
                AuditActor.User("u1", "Ada"),
                "[Approve here](https://evil.test) *now*",
                Ct
            );

        var card = Json(Assert.Single(await SendAllAsync(receiver)))["attachments"]![0]!["content"]!;
        var text = (string)card["body"]![1]!["text"]!;
        Assert.Contains(@"\[Approve here\](https://evil.test) \*now\*", text);
        Assert.DoesNotContain("[Approve here](", text);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_nor_retried()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(302);
        await AddAsync(receiver, NotificationKind.Slack, "slack");
        await IncidentAsync("Down");

        Assert.Equal(1, await Sender().SendDueAsync(Ct));

        Assert.Single(receiver.Requests);
        await using var db = _database.CreateDbContext();
        var message = await db.OutboxMessages.SingleAsync(Ct);
        Assert.Equal((OutboxState.Failed, 302, 1), (message.State, message.LastStatus, message.Attempts));
        Assert.StartsWith("redirected (HTTP 302), which is not followed", message.LastError);
    }

    [Fact]
    public async Task A_dispatch_the_receiver_refuses_is_told_to_the_team()
    {
        await using var deploy = await LoopbackReceiver.StartAsync(403);
        await using var slack = await LoopbackReceiver.StartAsync();
        await AddAsync(slack, NotificationKind.Slack, "slack", events: [NotificationEvents.DispatchFailed]);
        var dispatch = new DispatchTargets(_database, _protection, _clock);
        Assert.True(
            (await dispatch.SetHttpAsync(AuditActor.System, _team.ProductionId, deploy.Url, Secret, Ct)).Succeeded
        );
        await using (var db = _database.CreateDbContext())
        {
            db.Deployments.Add(
                new Deployment
                {
                    ServiceId = _team.ServiceId,
                    EnvironmentId = _team.StagingId,
                    Version = "1.43.0",
                    StartedAt = Now.AddHours(-2),
                    FinishedAt = Now.AddHours(-1),
                    Outcome = DeploymentOutcome.Succeeded,
                    ReceivedAt = Now.AddHours(-1),
                    OutcomeReceivedAt = Now.AddHours(-1),
                    Source = "ci",
                    ExternalId = "1.43.0",
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        var gate = new PromotionGate(
            _database,
            _clock,
            new FixedOptionsMonitor<PromotionOptions>(new PromotionOptions()),
            new DeploymentWindows(_database, _clock)
        );
        var scanner = new DispatchScanner(
            _database,
            gate,
            _clock,
            Microsoft.Extensions.Options.Options.Create(new TransportOptions()),
            NullLogger<DispatchScanner>.Instance
        );

        Assert.Equal(1, await scanner.ScanAsync(Ct));
        await SendAllAsync(slack);

        Assert.Single(deploy.Requests);
        var body = Json(Assert.Single(slack.Requests));
        Assert.Equal("Dispatch failed: payments-api → production", (string)body["blocks"]![0]!["text"]!["text"]!);
        Assert.Contains("1.43.0: Failed (HTTP 403). refused: HTTP 403", (string)body["blocks"]![1]!["text"]!["text"]!);
    }

    [Fact]
    public async Task An_audit_entry_restored_by_an_import_is_not_told_again()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await AddAsync(receiver, NotificationKind.Slack, "slack");
        await using (var db = _database.CreateDbContext())
        {
            var restored = AuditActor.System.Entry(
                Now.AddDays(-30),
                "promotion.stop-the-line",
                $"environment/{_team.ProductionId}",
                reason: "an old stop"
            );
            restored.Id = 4242;
            db.AuditEntries.Add(restored);
            await db.SaveChangesAsync(Ct);
        }

        Assert.Empty(await SendAllAsync(receiver));
        await using var check = _database.CreateDbContext();
        Assert.Empty(await check.OutboxMessages.ToListAsync(Ct));
    }

    [Fact]
    public async Task Bad_targets_are_refused_with_a_reason_and_store_nothing()
    {
        async Task<string?> Refused(
            NotificationKind kind,
            string? name,
            string? url,
            string[]? events,
            string? secret
        ) => (await _targets.AddAsync(AuditActor.System, _team.TeamId, kind, name, url, events, secret, Ct)).ErrorField;

        Assert.Equal("name", await Refused(NotificationKind.Slack, " ", "https://hooks.slack.test/x", null, null));
        Assert.Equal("url", await Refused(NotificationKind.Slack, "a", "hooks.slack.test/x", null, null));
        Assert.Equal("url", await Refused(NotificationKind.Slack, "a", "ftp://hooks.slack.test/x", null, null));
        Assert.Equal("events", await Refused(NotificationKind.Slack, "a", "https://h.test/x", ["paused"], null));
        Assert.Equal(
            "secret",
            await Refused(NotificationKind.Slack, "a", "https://h.test/x", null, "0123456789abcdef")
        );
        Assert.Equal("secret", await Refused(NotificationKind.Json, "a", "https://h.test/x", null, "short"));
        Assert.Equal(
            "team",
            (
                await _targets.AddAsync(
                    AuditActor.System,
                    999,
                    NotificationKind.Slack,
                    "a",
                    "https://h.test/x",
                    null,
                    null,
                    Ct
                )
            ).ErrorField
        );
        await using var db = _database.CreateDbContext();
        Assert.Empty(await db.NotificationTargets.ToListAsync(Ct));
    }

    [Fact]
    public async Task The_address_is_stored_protected_a_generated_secret_is_shown_once_and_removal_cancels()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var added = await _targets.AddAsync(
            AuditActor.System,
            null,
            NotificationKind.Json,
            "#all",
            $"{receiver.BaseUrl}/hooks/T000/B000/XXXXSECRETXXXX?token=abc",
            null,
            null,
            Ct
        );
        Assert.StartsWith("rbn_", added.Value.Secret);
        await using (var db = _database.CreateDbContext())
        {
            var stored = await db.NotificationTargets.SingleAsync(Ct);
            Assert.DoesNotContain("XXXXSECRETXXXX", stored.ProtectedUrl);
            Assert.DoesNotContain(added.Value.Secret!, stored.ProtectedSecret);
            Assert.Equal($"{receiver.BaseUrl}/…", stored.ShownUrl);
            var audit = await db.AuditEntries.Select(a => a.After + a.Before).ToListAsync(Ct);
            Assert.DoesNotContain(audit, a => a!.Contains("token=abc") || a.Contains(added.Value.Secret!));
        }
        Assert.DoesNotContain("XXXXSECRETXXXX", (await _targets.ListAsync(Ct)).Single().Shown);

        await IncidentAsync("Down");
        Assert.True((await _targets.RemoveAsync(AuditActor.System, added.Value.Id, Ct)).Succeeded);
        Assert.Equal(0, await Sender().SendDueAsync(Ct));

        Assert.Empty(receiver.Requests);
        await using var check = _database.CreateDbContext();
        var message = await check.OutboxMessages.SingleAsync(Ct);
        Assert.Equal((OutboxState.Cancelled, "the target was removed"), (message.State, message.LastError));
    }

    [Fact]
    public async Task Send_a_test_reaches_the_receiver_at_once_and_says_what_it_answered()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(200, 404);
        var id = await AddAsync(receiver, NotificationKind.Slack, "slack");

        var ok = await _targets.SendTestAsync(
            AuditActor.User("u1", "Ada"),
            id,
            new Uri(SqliteTestDatabase.PublicBase),
            Ct
        );
        var refused = await _targets.SendTestAsync(AuditActor.User("u1", "Ada"), id, null, Ct);

        Assert.Equal($"{receiver.BaseUrl}/… answered HTTP 200.", ok.Value);
        Assert.Equal($"{receiver.BaseUrl}/… did not take it: HTTP 404.", refused.Error);
        Assert.Equal(
            "https://hooks.slack.com/…",
            ReceiverAddress.Shown("https://hooks.slack.com/services/T0/B0/abcdef")
        );
        Assert.Equal("https://ntfy.example.test/…", ReceiverAddress.Shown("https://ntfy.example.test/mytopic-secret"));
        Assert.Equal("https://relay.example.test/", ReceiverAddress.Shown("https://relay.example.test"));
        Assert.Equal(
            "https://prod.logic.azure.com/…",
            ReceiverAddress.Shown("https://prod.logic.azure.com:443/workflows/1/run?sig=s3cr3t")
        );
        Assert.Equal(
            "ReleaseBoard test message for #slack",
            (string)Json(receiver.Requests.First())["blocks"]![0]!["text"]!["text"]!
        );
        await using var db = _database.CreateDbContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == "notification.tested", Ct));
        Assert.Empty(await db.OutboxMessages.ToListAsync(Ct));
    }
}
