using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Windows;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>
/// The gate a pipeline asks before promoting on its own, against the real app. Each test has a service of its own in
/// team "gates": dev → staging (30 minutes' soak for production) → production.
/// </summary>
public class GateApiTests : IAsyncLifetime
{
    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _gates = null!,
        _other = null!,
        _anonymous = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            db.Teams.AddRange(
                new Team
                {
                    Slug = "gates",
                    Name = "Gates",
                    TimeZoneId = "Etc/UTC",
                    CreatedAt = DateTime.UtcNow,
                },
                new Team
                {
                    Slug = "other",
                    Name = "Other",
                    TimeZoneId = "Etc/UTC",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        var keys = _app.Services.GetRequiredService<ApiKeyService>();
        _gates = Client((await keys.CreateAsync("gates-ci", "gates", false, AuditActor.System)).Value);
        _other = Client((await keys.CreateAsync("other-ci", "other", false, AuditActor.System)).Value);
        _anonymous = Client(null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { _gates, _other, _anonymous })
            client?.Dispose();
        await _app.DisposeAsync();
    }

    private HttpClient Client(string? key) => _app.CreateApiClient(key);

    private Task<ReleaseBoardDbContext> DbAsync() =>
        _app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    private sealed record TestService(string Slug, int Id, int StagingId, int ProductionId);

    private async Task<TestService> ServiceAsync(PromotionMode production, int soakMinutes = 30)
    {
        await using var db = await DbAsync();
        var team = await db.Teams.SingleAsync(t => t.Slug == "gates", Ct);
        var service = new Service
        {
            Slug = "svc-" + Guid.NewGuid().ToString("N")[..8],
            Name = "svc",
            Team = team,
        };
        var staging = new ServiceEnvironment
        {
            Name = "staging",
            Order = 1,
            Service = service,
            PromotionMode = PromotionMode.Continuous,
        };
        var prod = new ServiceEnvironment
        {
            Name = "production",
            Order = 2,
            IsProduction = true,
            Service = service,
            PromotionMode = production,
            SoakMinutes = soakMinutes,
            PromotionModeChangedAt = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc),
            PromotionModeChangedBy = "lead@example.test",
        };
        db.AddRange(
            new ServiceEnvironment
            {
                Name = "dev",
                Order = 0,
                Service = service,
            },
            staging,
            prod
        );
        await db.SaveChangesAsync(Ct);
        return new TestService(service.Slug, service.Id, staging.Id, prod.Id);
    }

    private async Task<JsonElement> AskAsync(
        TestService service,
        string? version = null,
        HttpStatusCode expected = HttpStatusCode.OK
    )
    {
        var response = await _gates.GetAsync(
            $"/api/v1/gates/{service.Slug}/production{(version is null ? "" : "?version=" + version)}",
            Ct
        );
        Assert.Equal(expected, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }

    private static string[] Codes(JsonElement gate) =>
        gate.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();

    private async Task AddAsync(object entity)
    {
        await using var db = await DbAsync();
        db.Add(entity);
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task A_freeze_closes_the_gate_with_the_next_opening_and_its_cancellation_opens_it_at_once()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        var windows = _app.Services.GetRequiredService<DeploymentWindows>();
        int teamId;
        await using (var db = await DbAsync())
            teamId = await db.Teams.Where(t => t.Slug == "gates").Select(t => t.Id).SingleAsync(Ct);
        var ends = DateTime.UtcNow.AddHours(2);
        ends = new DateTime(ends.Ticks - ends.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var freeze = await windows.ScheduleFreezeAsync(
            AuditActor.System,
            new FreezeScope(teamId, null),
            DateTime.UtcNow.AddHours(-1),
            ends,
            "quarter-end close",
            Ct
        );

        var frozen = await AskAsync(service);
        Assert.True(freeze.Succeeded, freeze.Error);
        await windows.CancelFreezeAsync(AuditActor.System, freeze.Value, Ct);
        var thawed = await AskAsync(service);

        Assert.False(frozen.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal(["window-closed"], Codes(frozen));
        Assert.Contains("quarter-end close", frozen.GetProperty("reasons")[0].GetProperty("message").GetString());
        var window = frozen.GetProperty("window");
        Assert.False(window.GetProperty("open").GetBoolean());
        Assert.True(window.GetProperty("frozen").GetBoolean());
        Assert.Equal(ends, window.GetProperty("opensAt").GetDateTime().ToUniversalTime());
        Assert.True(thawed.GetProperty("mayAutoPromote").GetBoolean());
        Assert.True(thawed.GetProperty("window").GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task A_back_dated_report_soaks_from_when_ReleaseBoard_learned_of_it_not_from_the_date_it_claims()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        var weekAgo = DateTimeOffset.UtcNow.AddDays(-7);
        var before = DateTime.UtcNow.AddSeconds(-1);
        var posted = await _gates.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = service.Slug,
                environment = "staging",
                version = "2.0.0",
                startedAt = weekAgo.AddMinutes(-5),
                finishedAt = weekAgo,
                outcome = "succeeded",
                source = "ci",
                externalId = "late-1",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var gate = await AskAsync(service, "2.0.0");

        Assert.False(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal(["soaking"], Codes(gate));
        var soak = gate.GetProperty("version");
        Assert.Equal(
            weekAgo.UtcDateTime,
            soak.GetProperty("passedPreviousStageAt").GetDateTime(),
            TimeSpan.FromSeconds(1)
        );
        var countsFrom = soak.GetProperty("soakCountsFrom").GetDateTime();
        Assert.InRange(countsFrom, before, DateTime.UtcNow);
        Assert.Equal(countsFrom.AddMinutes(30), soak.GetProperty("soakEndsAt").GetDateTime());
        Assert.Contains("learned of it", gate.GetProperty("reasons")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_new_version_under_an_old_deployment_id_is_refused_and_does_not_inherit_its_soak()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        var monthAgo = DateTime.UtcNow.AddDays(-30);
        await AddAsync(
            new Deployment
            {
                ServiceId = service.Id,
                EnvironmentId = service.StagingId,
                Version = "1.0.0",
                CommitSha = "abc123",
                StartedAt = monthAgo.AddMinutes(-5),
                FinishedAt = monthAgo,
                Outcome = DeploymentOutcome.Succeeded,
                Source = "ci",
                ExternalId = "d-1",
                ReceivedAt = monthAgo,
                OutcomeReceivedAt = monthAgo,
            }
        );
        Assert.True((await AskAsync(service, "1.0.0")).GetProperty("mayAutoPromote").GetBoolean());

        var renamed = await _gates.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = service.Slug,
                environment = "staging",
                version = "2.0.0",
                startedAt = monthAgo.AddMinutes(-5),
                finishedAt = monthAgo,
                outcome = "succeeded",
                source = "ci",
                externalId = "d-1",
            },
            Ct
        );
        var recommitted = await _gates.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = service.Slug,
                environment = "staging",
                version = "1.0.0",
                commitSha = "def456",
                startedAt = monthAgo.AddMinutes(-5),
                finishedAt = monthAgo,
                outcome = "succeeded",
                source = "ci",
                externalId = "d-1",
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Contains("version does not change", await renamed.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, recommitted.StatusCode);
        Assert.Contains("commit does not change", await recommitted.Content.ReadAsStringAsync(Ct));
        Assert.False((await AskAsync(service, "2.0.0")).GetProperty("mayAutoPromote").GetBoolean());
        await using var db = await DbAsync();
        var stored = await db.Deployments.SingleAsync(d => d.ExternalId == "d-1", Ct);
        Assert.Equal(("1.0.0", "abc123"), (stored.Version, stored.CommitSha));
    }

    [Fact]
    public async Task Continuous_with_nothing_blocking_may_promote_and_says_since_when_and_by_whom()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);

        var gate = await AskAsync(service);

        Assert.Equal("continuous", gate.GetProperty("state").GetString());
        Assert.True(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Empty(Codes(gate));
        Assert.Equal("2026-11-01T09:00:00Z", gate.GetProperty("since").GetString());
        Assert.Equal("lead@example.test", gate.GetProperty("changedBy").GetString());
    }

    [Theory]
    [InlineData(PromotionMode.Manual, "manual")]
    [InlineData(PromotionMode.Paused, "paused")]
    public async Task Manual_and_paused_never_promote_on_their_own(PromotionMode mode, string code)
    {
        var gate = await AskAsync(await ServiceAsync(mode));

        Assert.Equal(code, gate.GetProperty("state").GetString());
        Assert.False(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal([code], Codes(gate));
    }

    [Fact]
    public async Task An_open_failure_of_pausing_severity_blocks_and_its_resolution_lifts_the_block_at_once()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        var failure = new Incident
        {
            ServiceId = service.Id,
            Severity = 2,
            Title = "Checkout down",
            ImpactStartedAt = DateTime.UtcNow.AddMinutes(-3),
            DetectedAt = DateTime.UtcNow,
            Source = "test",
        };
        await AddAsync(failure);
        await AddAsync(
            new Incident
            {
                ServiceId = service.Id,
                Severity = 3,
                Title = "Slow search",
                ImpactStartedAt = DateTime.UtcNow,
                DetectedAt = DateTime.UtcNow,
                Source = "test",
            }
        );

        var blocked = await AskAsync(service);
        Assert.False(blocked.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal(["open-failure"], Codes(blocked)); // severity 3 is below the pausing severity (2)
        Assert.Contains("Checkout down", blocked.GetProperty("reasons")[0].GetProperty("message").GetString());

        await using (var db = await DbAsync())
        {
            await db
                .Incidents.Where(i => i.Id == failure.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.ResolvedAt, DateTime.UtcNow), Ct);
        }
        Assert.True((await AskAsync(service)).GetProperty("mayAutoPromote").GetBoolean());
    }

    [Fact]
    public async Task A_pause_is_seen_by_the_very_next_question()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        Assert.True((await AskAsync(service)).GetProperty("mayAutoPromote").GetBoolean());

        await using (var db = await DbAsync())
        {
            await db
                .Environments.Where(e => e.Id == service.ProductionId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, PromotionMode.Paused), Ct);
        }

        Assert.Equal(["paused"], Codes(await AskAsync(service)));
    }

    [Fact]
    public async Task A_version_promotes_only_after_its_soak_time_in_the_previous_stage_and_without_a_catch_against_it()
    {
        var service = await ServiceAsync(PromotionMode.Continuous, soakMinutes: 30);
        Deployment Staging(string version, int minutesAgo) =>
            new()
            {
                ServiceId = service.Id,
                EnvironmentId = service.StagingId,
                Version = version,
                StartedAt = DateTime.UtcNow.AddMinutes(-minutesAgo - 5),
                FinishedAt = DateTime.UtcNow.AddMinutes(-minutesAgo),
                Outcome = DeploymentOutcome.Succeeded,
                Source = "test",
            };
        await AddAsync(Staging("2.0.0", 45));
        await AddAsync(Staging("2.1.0", 10));
        await AddAsync(Staging("2.2.0", 50));
        await AddAsync(
            new Catch
            {
                ServiceId = service.Id,
                EnvironmentId = service.StagingId,
                Severity = 2,
                Title = "Refund twice",
                Version = "2.2.0",
                ReportedBy = "test",
                CaughtAt = DateTime.UtcNow,
                RecordedAt = DateTime.UtcNow,
                Source = "test",
            }
        );

        var soaked = await AskAsync(service, "2.0.0");
        Assert.True(soaked.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal("staging", soaked.GetProperty("version").GetProperty("previousStage").GetString());

        var soaking = await AskAsync(service, "2.1.0");
        Assert.Equal(["soaking"], Codes(soaking));
        var endsAt = soaking.GetProperty("version").GetProperty("soakEndsAt").GetDateTime();
        Assert.InRange(endsAt, DateTime.UtcNow.AddMinutes(19), DateTime.UtcNow.AddMinutes(21));

        Assert.Equal(["caught"], Codes(await AskAsync(service, "2.2.0")));
        Assert.Equal(["not-in-previous-stage"], Codes(await AskAsync(service, "9.9.9")));
    }

    [Fact]
    public async Task The_gate_answers_only_those_who_may_read_the_team_and_names_what_is_unknown()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);

        Assert.Equal(
            HttpStatusCode.NotFound,
            (await _other.GetAsync($"/api/v1/gates/{service.Slug}/production", Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await _anonymous.GetAsync($"/api/v1/gates/{service.Slug}/production", Ct)).StatusCode
        );
        Assert.Equal(HttpStatusCode.NotFound, (await _gates.GetAsync("/api/v1/gates/nope/production", Ct)).StatusCode);
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await _gates.GetAsync($"/api/v1/gates/{service.Slug}/moon", Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (
                await _gates.GetAsync($"/api/v1/gates/{service.Slug}/production?version={new string('v', 129)}", Ct)
            ).StatusCode
        );
    }

    [Fact]
    public async Task Another_teams_service_and_no_service_at_all_get_the_same_answer_whatever_team_is_named()
    {
        var service = await ServiceAsync(PromotionMode.Continuous); // a service of team "gates"

        async Task<string> DetailAsync(string path)
        {
            var response = await _other.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            return JsonDocument
                .Parse(await response.Content.ReadAsStringAsync(Ct))
                .RootElement.GetProperty("detail")
                .GetString()!
                .Replace(service.Slug, "X", StringComparison.Ordinal);
        }

        foreach (var team in new[] { "gates", "other" })
            Assert.Equal(
                await DetailAsync($"/api/v1/gates/X/production?team={team}"),
                await DetailAsync($"/api/v1/gates/{service.Slug}/production?team={team}")
            );
        Assert.Equal(
            await DetailAsync("/api/v1/gates/X/production"),
            await DetailAsync($"/api/v1/gates/{service.Slug}/production")
        );
    }

    [Fact]
    public async Task A_failure_posted_through_the_API_pauses_the_service_at_once_and_the_gate_says_so()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);

        var posted = await _gates.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = service.Slug,
                severity = 1,
                title = "Payments failing",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                source = "pagerduty",
                externalId = "P-" + service.Slug,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var gate = await AskAsync(service);
        Assert.Equal("paused", gate.GetProperty("state").GetString());
        Assert.False(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal("system", gate.GetProperty("changedBy").GetString());
        Assert.Equal(["paused", "open-failure"], Codes(gate));
        await using var db = await DbAsync();
        Assert.Equal(
            PromotionMode.Paused,
            (await db.Environments.SingleAsync(e => e.Id == service.StagingId, Ct)).PromotionMode
        ); // every continuous one
        Assert.Equal(
            2,
            await db.AuditEntries.CountAsync(
                a => a.Action == "promotion.paused-by-failure" && a.Reason!.Contains("Payments failing"),
                Ct
            )
        );
    }

    [Fact]
    public async Task A_milder_failure_or_a_replay_of_an_open_one_does_not_pause()
    {
        var service = await ServiceAsync(PromotionMode.Continuous);
        var incident = new
        {
            service = service.Slug,
            severity = 3,
            title = "Slow",
            startedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            source = "pd",
            externalId = "S-" + service.Slug,
        };

        Assert.Equal(
            HttpStatusCode.Created,
            (await _gates.PostAsJsonAsync("/api/v1/incidents", incident, Ct)).StatusCode
        );
        Assert.Equal("continuous", (await AskAsync(service)).GetProperty("state").GetString());

        var severe = incident with { severity = 2, externalId = "X-" + service.Slug };
        Assert.Equal(
            HttpStatusCode.Created,
            (await _gates.PostAsJsonAsync("/api/v1/incidents", severe, Ct)).StatusCode
        );
        await using (var db = await DbAsync())
            await db
                .Environments.Where(e => e.ServiceId == service.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, PromotionMode.Continuous), Ct);
        // replay, still open
        Assert.Equal(HttpStatusCode.OK, (await _gates.PostAsJsonAsync("/api/v1/incidents", severe, Ct)).StatusCode);

        Assert.Equal("continuous", (await AskAsync(service)).GetProperty("state").GetString());
    }
}
