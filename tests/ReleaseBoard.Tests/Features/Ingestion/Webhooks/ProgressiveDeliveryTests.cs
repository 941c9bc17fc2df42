using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion.Webhooks;

/// <summary>
/// Flagger, Argo Rollouts and any test system report the failures they prevented; Flagger asks the gate before it
/// promotes a canary and whether to roll it back. Payloads are the tools' documented ones (Payloads/README.md).
/// Team payments runs podinfo (its payments-api) in namespaces test (staging) and prod (production).
/// </summary>
public sealed class ProgressiveDeliveryTests : IAsyncLifetime
{
    /// <summary>The token of Flagger's documented payload, registered as the payments team's Flagger secret.</summary>
    private const string FlaggerToken = "16688eb5e9f289f1991c";
    private const string SearchFlaggerToken = "flagger secret of team search";
    private const string ArgoToken = "argo rollouts secret of payments";
    private const string CatchSecret = "catch webhook secret of payments";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _client = null!;
    private HttpClient _paymentsKey = null!;

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            foreach (
                var (team, service, workload) in new[]
                {
                    ("payments", "payments-api", "podinfo"),
                    ("search", "search-api", (string?)null),
                }
            )
            {
                var entity = new Team
                {
                    Slug = team,
                    Name = team,
                    TimeZoneId = "Europe/Berlin",
                    CreatedAt = DateTime.UtcNow,
                };
                var owned = new Service
                {
                    Slug = service,
                    Name = service,
                    Team = entity,
                    Workload = workload,
                };
                db.AddRange(
                    new ServiceEnvironment
                    {
                        Name = "staging",
                        Order = 0,
                        Service = owned,
                        Namespace = team == "payments" ? "test" : "search-test",
                    },
                    new ServiceEnvironment
                    {
                        Name = "production",
                        Order = 1,
                        IsProduction = true,
                        Service = owned,
                        Namespace = "prod",
                        PromotionMode = PromotionMode.Continuous,
                        PromotionModeChangedAt = DateTime.UtcNow.AddDays(-1),
                    }
                );
            }
            await db.SaveChangesAsync(Ct);
        }
        var secrets = _app.Services.GetRequiredService<WebhookSecrets>();
        foreach (
            var (tool, team, secret) in new[]
            {
                (WebhookTool.Flagger, "payments", FlaggerToken),
                (WebhookTool.Flagger, "search", SearchFlaggerToken),
                (WebhookTool.ArgoRollouts, "payments", ArgoToken),
                (WebhookTool.Catch, "payments", CatchSecret),
            }
        )
            Assert.True((await secrets.AddAsync(tool, null, null, team, secret, AuditActor.System, Ct)).Succeeded);
        _client = _app.CreateApiClient(null);
        var keys = _app.Services.GetRequiredService<ApiKeyService>();
        _paymentsKey = _app.CreateApiClient(
            (await keys.CreateAsync("payments-ci", "payments", false, AuditActor.System)).Value
        );
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _paymentsKey.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<ReleaseBoardDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    private static byte[] Payload(string name) => WebhookPayloads.Payload(name);

    private static byte[] Edited(string name, Action<JsonNode> edit) => WebhookPayloads.Edited(name, edit);

    private Task<HttpResponseMessage> PostAsync(string path, byte[] body, Action<HttpRequestMessage>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        headers?.Invoke(request);
        return _client.SendAsync(request, Ct);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    [Fact]
    public async Task A_failed_canary_in_staging_is_a_catch_from_Flagger_once_however_often_Flagger_repeats_it()
    {
        var first = await PostAsync("/api/v1/webhooks/flagger", Payload("flagger-event-failed.json"));
        var again = await PostAsync("/api/v1/webhooks/flagger", Payload("flagger-event-failed.json"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using var db = await DbAsync();
        var caught = await db.Catches.Include(c => c.Environment).SingleAsync(Ct);
        Assert.Equal(("flagger", "test/podinfo/85d557f47b"), (caught.Source, caught.ExternalId));
        Assert.Equal(("staging", "Flagger", 3), (caught.Environment.Name, caught.ReportedBy, caught.Severity));
        Assert.Equal("Canary failed! Scaling down podinfo.test", caught.Description);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764590400000).UtcDateTime, caught.CaughtAt);
        Assert.Empty(await db.Incidents.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_failed_canary_in_production_is_a_failure_and_other_phases_are_acknowledged_only()
    {
        var inProduction = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["namespace"] = "prod")
        );
        var progressing = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["phase"] = "Progressing")
        );

        Assert.Equal(HttpStatusCode.Created, inProduction.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, progressing.StatusCode);
        await using var db = await DbAsync();
        var failure = await db.Incidents.SingleAsync(Ct);
        Assert.Equal(("flagger", "prod/podinfo/85d557f47b"), (failure.Source, failure.ExternalId));
        Assert.NotNull(failure.ResolvedAt); // Flagger rolled the canary back itself
        Assert.Empty(await db.Catches.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_delivery_with_another_owners_token_or_none_is_refused_and_stores_nothing()
    {
        var otherOwner = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["metadata"]!["token"] = SearchFlaggerToken)
        );
        var noToken = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["metadata"]!.AsObject().Remove("token"))
        );
        var unmapped = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["name"] = "not-in-the-catalog")
        );
        var argoWithFlaggerToken = await PostAsync(
            "/api/v1/webhooks/argo-rollouts",
            Payload("argo-rollouts-analysis-run-failed.json"),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FlaggerToken)
        );

        Assert.Equal(HttpStatusCode.Forbidden, otherOwner.StatusCode);
        Assert.Contains("team search", (await JsonOf(otherOwner)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unmapped.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, argoWithFlaggerToken.StatusCode);
        await using var db = await DbAsync();
        Assert.Empty(await db.Catches.ToListAsync(Ct));
        Assert.Empty(await db.Incidents.ToListAsync(Ct));
    }

    [Fact]
    public async Task Argo_Rollouts_notifications_of_a_failed_analysis_and_the_abort_are_one_catch_linking_back()
    {
        await using (var db = await DbAsync())
        {
            var service = await db.Services.SingleAsync(s => s.Slug == "payments-api", Ct);
            service.Workload = "rollouts-demo";
            await db.SaveChangesAsync(Ct);
        }
        void Bearer(HttpRequestMessage r) =>
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ArgoToken);

        var failed = await PostAsync(
            "/api/v1/webhooks/argo-rollouts",
            Payload("argo-rollouts-analysis-run-failed.json"),
            Bearer
        );
        var aborted = await PostAsync(
            "/api/v1/webhooks/argo-rollouts",
            Edited("argo-rollouts-analysis-run-failed.json", n => n["event"] = "rollout-aborted"),
            Bearer
        );
        var completed = await PostAsync(
            "/api/v1/webhooks/argo-rollouts",
            Edited("argo-rollouts-analysis-run-failed.json", n => n["event"] = "rollout-completed"),
            Bearer
        );

        Assert.Equal(HttpStatusCode.Created, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, aborted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
        var item = await JsonOf(failed);
        Assert.Equal(
            "https://argo-rollouts.example.test/rollouts/rollout/test/rollouts-demo",
            item.GetProperty("url").GetString()
        );
        await using var check = await DbAsync();
        var caught = await check.Catches.SingleAsync(Ct);
        Assert.Equal(
            ("argo-rollouts", "test/rollouts-demo/2", "Argo Rollouts"),
            (caught.Source, caught.ExternalId, caught.ReportedBy)
        );
        Assert.Contains("assessed Failed", caught.Description);
    }

    [Fact]
    public async Task The_generic_catch_webhook_takes_a_signed_or_bearer_delivery_and_refuses_bad_input()
    {
        var body = Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(
                new
                {
                    service = "payments-api",
                    environment = "staging",
                    severity = 2,
                    title = "Contract test: refunds lose the currency",
                    caughtAt = DateTimeOffset.UtcNow.AddMinutes(-3),
                    tool = "Pact",
                    url = "https://pact.example.test/results/41",
                    externalId = "run-41",
                }
            )
        );
        var signed = await PostAsync("/api/v1/webhooks/catches", body, r =>
            r.Headers.Add("X-ReleaseBoard-Signature-256", "sha256=" + WebhookSignature.Compute(CatchSecret, body))
        );
        var badSignature = await PostAsync("/api/v1/webhooks/catches", body, r =>
            r.Headers.Add(
                "X-ReleaseBoard-Signature-256",
                "sha256=" + WebhookSignature.Compute("wrong secret!!!!", body)
            )
        );
        var production = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(body).Replace("\"staging\"", "\"production\"").Replace("run-41", "run-42")
        );
        var inProduction = await PostAsync("/api/v1/webhooks/catches", production, r =>
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CatchSecret)
        );
        var otherTeam = await PostAsync(
            "/api/v1/webhooks/catches",
            Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("payments-api", "search-api")),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CatchSecret)
        );

        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badSignature.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, inProduction.StatusCode); // a catch is made before production
        Assert.Equal(HttpStatusCode.NotFound, otherTeam.StatusCode); // another team's service is not even hinted at
        var unknown = await PostAsync(
            "/api/v1/webhooks/catches",
            Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("payments-api", "no-such-api")),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CatchSecret)
        );
        Assert.Equal(
            (await JsonOf(unknown)).GetProperty("detail").GetString()!.Replace("no-such-api", "search-api"),
            (await JsonOf(otherTeam)).GetProperty("detail").GetString()
        );
        await using var db = await DbAsync();
        var caught = await db.Catches.SingleAsync(Ct);
        Assert.Equal(
            ("pact", "Pact", "https://pact.example.test/results/41"),
            (caught.Source, caught.ReportedBy, caught.Link)
        );
    }

    [Fact]
    public async Task Flagger_confirm_promotion_and_rollback_follow_the_gate_through_a_pause_a_failure_and_its_end()
    {
        var documented = Edited("flagger-webhook-documented.json", n => n["namespace"] = "prod");
        async Task<(HttpStatusCode Confirm, HttpStatusCode Rollback)> AskAsync() =>
            (
                (await PostAsync("/api/v1/webhooks/flagger/confirm-promotion", documented)).StatusCode,
                (await PostAsync("/api/v1/webhooks/flagger/rollback", documented)).StatusCode
            );

        var calm = await AskAsync();
        var opened = await _paymentsKey.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 1,
                title = "Checkout down",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                source = "pagerduty",
                externalId = "Q1",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var duringFailure = await AskAsync();
        var held = await JsonOf(await PostAsync("/api/v1/webhooks/flagger/confirm-promotion", documented));
        var rollback = await JsonOf(await PostAsync("/api/v1/webhooks/flagger/rollback", documented));
        await using (var db = await DbAsync())
        {
            await db.Incidents.ExecuteUpdateAsync(u => u.SetProperty(i => i.ResolvedAt, DateTime.UtcNow), Ct);
        }
        var resolvedButPaused = await AskAsync();
        await using (var db = await DbAsync())
        {
            // People resume it (four eyes elsewhere); here only the state matters.
            await db
                .Environments.Where(e => e.Name == "production")
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, PromotionMode.Continuous), Ct);
        }
        var resumed = await AskAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), calm);
        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.OK), duringFailure);
        var heldReasons = held.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString());
        Assert.Equal(["paused", "open-failure"], heldReasons);
        Assert.Contains("Checkout down", held.GetProperty("detail").GetString());
        Assert.True(rollback.GetProperty("rollBack").GetBoolean());
        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), resolvedButPaused);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), resumed);
    }

    [Fact]
    public async Task Flagger_gate_calls_without_the_token_of_the_canarys_owner_are_refused()
    {
        var noToken = await PostAsync(
            "/api/v1/webhooks/flagger/confirm-promotion",
            Edited("flagger-webhook-documented.json", n => n["metadata"]!["token"] = "not a secret at all")
        );
        var otherOwner = await PostAsync(
            "/api/v1/webhooks/flagger/rollback",
            Edited("flagger-webhook-documented.json", n => n["metadata"]!["token"] = SearchFlaggerToken)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherOwner.StatusCode);
    }

    [Fact]
    public async Task A_canary_Flagger_rolled_back_because_of_an_open_incident_is_no_catch()
    {
        var opened = await _paymentsKey.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 1,
                title = "Checkout down",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                source = "pagerduty",
                externalId = "Q2",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var documented = Edited("flagger-webhook-documented.json", n => n["namespace"] = "prod");

        // ReleaseBoard's rollback hook says yes; Flagger rolls back and reports the canary as failed.
        var rollback = await PostAsync("/api/v1/webhooks/flagger/rollback", documented);
        var failed = await PostAsync("/api/v1/webhooks/flagger", Edited("flagger-event-failed.json", n =>
            {
                n["namespace"] = "prod";
                n["metadata"]!["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString();
            }));

        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, failed.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal("Q2", (await db.Incidents.SingleAsync(Ct)).ExternalId); // the incident, and nothing more
        Assert.Empty(await db.Catches.ToListAsync(Ct));
    }

    [Fact]
    public async Task Stages_that_share_a_namespace_name_are_told_apart_by_the_environment_the_delivery_names()
    {
        await using (var db = await DbAsync())
        {
            await db
                .Environments.Where(e => e.Service.Slug == "payments-api")
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Namespace, "podinfo"), Ct);
        }
        var ambiguous = await PostAsync(
            "/api/v1/webhooks/flagger",
            Edited("flagger-event-failed.json", n => n["namespace"] = "podinfo")
        );
        var named = await PostAsync("/api/v1/webhooks/flagger", Edited("flagger-event-failed.json", n =>
            {
                n["namespace"] = "podinfo";
                n["metadata"]!["environment"] = "staging";
            }));

        Assert.Equal(HttpStatusCode.Conflict, ambiguous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        await using var check = await DbAsync();
        Assert.Equal("staging", (await check.Catches.Include(c => c.Environment).SingleAsync(Ct)).Environment.Name);
    }

    [Fact]
    public async Task Where_versions_soak_Flagger_must_name_the_version_before_the_gate_lets_it_promote()
    {
        await using (var db = await DbAsync())
        {
            var production = await db.Environments.SingleAsync(
                e => e.Service.Slug == "payments-api" && e.IsProduction,
                Ct
            );
            production.SoakMinutes = 30;
            var staging = await db.Environments.SingleAsync(
                e => e.Service.Slug == "payments-api" && e.Name == "staging",
                Ct
            );
            db.Deployments.Add(
                new Deployment
                {
                    ServiceId = staging.ServiceId,
                    EnvironmentId = staging.Id,
                    Version = "6.1.0",
                    StartedAt = DateTime.UtcNow.AddHours(-3),
                    FinishedAt = DateTime.UtcNow.AddHours(-2),
                    Outcome = DeploymentOutcome.Succeeded,
                    OutcomeReceivedAt = DateTime.UtcNow.AddHours(-2),
                    ReceivedAt = DateTime.UtcNow.AddHours(-3),
                    Source = "test",
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        byte[] Asking(string? version) => Edited("flagger-webhook-documented.json", n =>
            {
                n["namespace"] = "prod";
                if (version is not null)
                    n["metadata"]!["version"] = version;
            });

        var unnamed = await PostAsync("/api/v1/webhooks/flagger/confirm-promotion", Asking(null));
        var soaked = await PostAsync("/api/v1/webhooks/flagger/confirm-promotion", Asking("6.1.0"));
        var neverInStaging = await PostAsync("/api/v1/webhooks/flagger/confirm-promotion", Asking("6.2.0"));

        Assert.Equal(HttpStatusCode.Conflict, unnamed.StatusCode);
        Assert.Equal(
            ["version-unknown"],
            (await JsonOf(unnamed))
                .GetProperty("reasons")
                .EnumerateArray()
                .Select(r => r.GetProperty("code").GetString())
        );
        Assert.Equal(HttpStatusCode.OK, soaked.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, neverInStaging.StatusCode);
    }

    [Fact]
    public async Task A_canary_that_fails_beside_an_incident_too_mild_to_roll_it_back_is_still_a_catch()
    {
        // Severity 3 counts but does not pause (Promotion:PausingSeverity 2): the rollback hook said no, so the canary
        // failed on its own.
        var opened = await _paymentsKey.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 3,
                title = "Slow reports",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                source = "pagerduty",
                externalId = "Q3",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var now = Edited("flagger-event-failed.json", n =>
            n["metadata"]!["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString()
        );

        var rollback = await PostAsync(
            "/api/v1/webhooks/flagger/rollback",
            Edited("flagger-webhook-documented.json", n => n["namespace"] = "test")
        );
        var failed = await PostAsync("/api/v1/webhooks/flagger", now);

        Assert.Equal(HttpStatusCode.Conflict, rollback.StatusCode);
        Assert.Equal(HttpStatusCode.Created, failed.StatusCode);
    }
}
