using System.Net;
using System.Net.Http.Headers;
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
/// Each webhook with payloads in the tool's documented format, its signature check against the tool's own published
/// vectors, secrets that speak only for their owner, replays, and redelivery.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    // payments-api's repository and PagerDuty service each have a secret of their own; team search has one for all.
    private const string GitHubSecret = "github webhook secret of acme/payments-api";
    private const string SearchGitHubSecret = "github webhook secret of acme/search-api";
    private const string PagerDutySecret = "pagerduty webhook secret of payments-api";
    private const string SearchPagerDutySecret = "pagerduty webhook secret of team search";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _client = null!;
    private string _searchKey = "";
    private string _paymentsKey = "";

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var payments = new Team
            {
                Slug = "payments",
                Name = "Payments",
                TimeZoneId = "Europe/Berlin",
                CreatedAt = DateTime.UtcNow,
            };
            var api = new Service
            {
                Slug = "payments-api",
                Name = "payments-api",
                Team = payments,
                Repository = "acme/payments-api",
                PagerDutyServiceId = "PF9KMXH",
            };
            var search = new Team
            {
                Slug = "search",
                Name = "Search",
                TimeZoneId = "America/New_York",
                CreatedAt = DateTime.UtcNow,
            };
            var searchApi = new Service
            {
                Slug = "search-api",
                Name = "search-api",
                Team = search,
                Repository = "acme/search-api",
                PagerDutyServiceId = "PSEARCH",
            };
            foreach (var service in new[] { api, searchApi })
                db.AddRange(
                    new ServiceEnvironment
                    {
                        Name = "staging",
                        Order = 0,
                        Service = service,
                    },
                    new ServiceEnvironment
                    {
                        Name = "production",
                        Order = 1,
                        IsProduction = true,
                        Service = service,
                        SoakMinutes = 30,
                        PromotionMode = PromotionMode.Continuous,
                    }
                );
            await db.SaveChangesAsync(Ct);
        }
        var secrets = _app.Services.GetRequiredService<WebhookSecrets>();
        foreach (
            var (tool, repository, service, team, secret) in new[]
            {
                (WebhookTool.GitHub, "acme/payments-api", (string?)null, (string?)null, GitHubSecret),
                (WebhookTool.GitHub, "acme/search-api", null, null, SearchGitHubSecret),
                (WebhookTool.PagerDuty, null, "payments-api", null, PagerDutySecret),
                (WebhookTool.PagerDuty, null, null, "search", SearchPagerDutySecret),
            }
        )
            Assert.True(
                (await secrets.AddAsync(tool, repository, service, team, secret, AuditActor.System, Ct)).Succeeded
            );
        var keys = _app.Services.GetRequiredService<ApiKeyService>();
        _searchKey = (await keys.CreateAsync("alertmanager", "search", false, AuditActor.System, Ct)).Value!;
        _paymentsKey = (await keys.CreateAsync("payments-ci", "payments", false, AuditActor.System, Ct)).Value!;
        _client = _app.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<ReleaseBoardDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    private static byte[] Payload(string name) => WebhookPayloads.Payload(name);

    private static byte[] Edited(string name, Action<JsonNode> edit) => WebhookPayloads.Edited(name, edit);

    private Task<HttpResponseMessage> PostGitHubAsync(
        byte[] body,
        string? signature = null,
        string githubEvent = "deployment_status",
        string? delivery = null,
        string secret = GitHubSecret
    )
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", githubEvent);
        request.Headers.Add("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", signature ?? "sha256=" + WebhookSignature.Compute(secret, body));
        return _client.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostPagerDutyAsync(
        byte[] body,
        string? signature = null,
        string secret = PagerDutySecret
    )
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/pagerduty")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-PagerDuty-Signature", signature ?? "v1=" + WebhookSignature.Compute(secret, body));
        return _client.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostAlertmanagerAsync(byte[] body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/alertmanager")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return _client.SendAsync(request, Ct);
    }

    [Fact]
    public void GitHub_signatures_match_the_example_in_GitHubs_documentation()
    {
        // docs.github.com, "Validating webhook deliveries", "Testing the webhook payload validation".
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        const string documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        Assert.True(WebhookSignature.IsValidGitHub(documented, "It's a Secret to Everybody", body));
        Assert.False(WebhookSignature.IsValidGitHub(documented, "It's a Secret to Everybody.", body));
        Assert.False(
            WebhookSignature.IsValidGitHub(
                documented,
                "It's a Secret to Everybody",
                Encoding.UTF8.GetBytes("Hello, World")
            )
        );
    }

    [Fact]
    public void PagerDuty_signatures_match_the_vector_of_PagerDutys_own_client_library()
    {
        // PagerDuty/go-pagerduty, webhookv3/webhookv3_test.go: its secret, body and valid and mismatching signatures
        // (the file is that body byte for byte, with no final newline: the signature is over exactly these bytes).
        var body = Payload("pagerduty-go-pagerduty-signature-vector.json");
        const string secret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK";
        const string valid = "0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd";
        const string mismatch = "7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5";

        Assert.True(WebhookSignature.IsValidPagerDuty("v1=" + valid, secret, body));
        Assert.False(WebhookSignature.IsValidPagerDuty("v1=" + mismatch, secret, body));
        Assert.True(WebhookSignature.IsValidPagerDuty($"v1={mismatch},v1={valid}", secret, body));
    }

    [Fact]
    public async Task A_GitHub_delivery_signed_with_another_repositorys_secret_is_refused_and_stores_nothing()
    {
        // Whoever configures search-api's webhook signs a status naming payments-api, dated a week back.
        var forged = Edited("github-deployment-status-success.json", n =>
        {
            n["deployment_status"]!["environment"] = "staging";
            n["deployment"]!["environment"] = "staging";
            n["deployment"]!["created_at"] = DateTime.UtcNow.AddDays(-7).ToString("yyyy-MM-ddTHH:mm:ssZ");
            n["deployment_status"]!["created_at"] = DateTime
                .UtcNow.AddDays(-7)
                .AddMinutes(5)
                .ToString("yyyy-MM-ddTHH:mm:ssZ");
        });

        var response = await PostGitHubAsync(forged, secret: SearchGitHubSecret);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("repository acme/search-api", await response.Content.ReadAsStringAsync(Ct));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Deployments.CountAsync(Ct));
        Assert.Equal(0, await db.WebhookDeliveries.CountAsync(Ct));
    }

    [Fact]
    public async Task A_back_dated_status_signed_by_its_owner_still_soaks_from_when_it_arrived()
    {
        var version = "v7.0." + Random.Shared.Next(1000);
        var weekAgo = DateTime.UtcNow.AddDays(-7);
        var late = Edited("github-deployment-status-success.json", n =>
        {
            n["deployment_status"]!["environment"] = "staging";
            n["deployment"]!["environment"] = "staging";
            n["deployment"]!["ref"] = version;
            n["deployment"]!["created_at"] = weekAgo.ToString("yyyy-MM-ddTHH:mm:ssZ");
            n["deployment_status"]!["created_at"] = weekAgo.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ssZ");
        });
        Assert.Equal(HttpStatusCode.Created, (await PostGitHubAsync(late)).StatusCode);

        using var pipeline = _app.CreateApiClient(_paymentsKey);
        var gate = JsonDocument
            .Parse(await pipeline.GetStringAsync($"/api/v1/gates/payments-api/production?version={version}", Ct))
            .RootElement;

        Assert.False(gate.GetProperty("mayAutoPromote").GetBoolean());
        Assert.Equal("soaking", gate.GetProperty("reasons")[0].GetProperty("code").GetString());
        var soakEnds = gate.GetProperty("version").GetProperty("soakEndsAt").GetDateTime();
        Assert.True(soakEnds > DateTime.UtcNow.AddMinutes(29), $"the soak ends {soakEnds:u}: from the report's date");
    }

    [Fact]
    public async Task A_PagerDuty_event_signed_with_another_owners_secret_is_refused_and_stores_nothing()
    {
        var response = await PostPagerDutyAsync(
            Payload("pagerduty-incident-triggered.json"),
            secret: SearchPagerDutySecret
        );

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
        Assert.Equal(
            PromotionMode.Continuous,
            (
                await db.Environments.SingleAsync(e => e.Service.Slug == "payments-api" && e.IsProduction, Ct)
            ).PromotionMode
        );
    }

    [Fact]
    public async Task A_team_secret_speaks_for_every_service_of_its_team()
    {
        var searchEvent = Edited("pagerduty-incident-triggered.json", n =>
        {
            n["event"]!["data"]!["service"]!["id"] = "PSEARCH";
            n["event"]!["data"]!["id"] = "PSRCH01";
        });

        Assert.Equal(
            HttpStatusCode.Created,
            (await PostPagerDutyAsync(searchEvent, secret: SearchPagerDutySecret)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await PostPagerDutyAsync(searchEvent, secret: PagerDutySecret)).StatusCode
        );
    }

    [Fact]
    public async Task A_replayed_PagerDuty_event_changes_nothing()
    {
        // triggered → resolved → reopened → resolved; then someone replays the captured "reopened" delivery.
        var reopened = Edited("pagerduty-incident-triggered.json", n =>
        {
            n["event"]!["id"] = "01REOPENED0000000000000000";
            n["event"]!["event_type"] = "incident.reopened";
            n["event"]!["occurred_at"] = "2026-11-20T19:40:00.000Z";
        });
        var resolvedAgain = Edited("pagerduty-incident-resolved.json", n =>
        {
            n["event"]!["id"] = "01RESOLVEDAGAIN00000000000";
            n["event"]!["occurred_at"] = "2026-11-20T19:50:00.000Z";
        });
        Assert.Equal(
            HttpStatusCode.Created,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-triggered.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-resolved.json"))).StatusCode
        );
        Assert.Equal(HttpStatusCode.OK, (await PostPagerDutyAsync(reopened)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostPagerDutyAsync(resolvedAgain)).StatusCode);

        var replay = await PostPagerDutyAsync(reopened);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("duplicate", await replay.Content.ReadAsStringAsync(Ct));
        await using var db = await DbAsync();
        Assert.Equal(
            new DateTime(2026, 11, 20, 19, 50, 0, DateTimeKind.Utc),
            (await db.Incidents.SingleAsync(Ct)).ResolvedAt
        );
    }

    [Fact]
    public async Task A_replayed_GitHub_delivery_changes_nothing_and_a_failed_one_can_be_redelivered()
    {
        var refused = Edited("github-deployment-status-success.json", n =>
            n["deployment_status"]!["environment"] = "nowhere"
        );
        var delivery = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.NotFound, (await PostGitHubAsync(refused, delivery: delivery)).StatusCode);
        // Redelivered (GitHub keeps the delivery's id) once the catalog is right: the failed attempt did not count.
        Assert.Equal(
            HttpStatusCode.Created,
            (await PostGitHubAsync(Payload("github-deployment-status-success.json"), delivery: delivery)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostGitHubAsync(Payload("github-deployment-status-in-progress.json"))).StatusCode
        );

        var replay = await PostGitHubAsync(Payload("github-deployment-status-success.json"), delivery: delivery);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("duplicate", await replay.Content.ReadAsStringAsync(Ct));
        await using var db = await DbAsync();
        Assert.Equal(1, await db.WebhookDeliveries.CountAsync(d => d.DeliveryId == delivery, Ct));
    }

    [Fact]
    public async Task Times_in_the_future_are_refused()
    {
        var github = Edited("github-deployment-status-success.json", n =>
            n["deployment_status"]!["created_at"] = "2999-01-01T00:00:00Z"
        );
        var pagerDuty = Edited("pagerduty-incident-triggered.json", n =>
            n["event"]!["occurred_at"] = "2999-01-01T00:00:00Z"
        );

        Assert.Equal(HttpStatusCode.BadRequest, (await PostGitHubAsync(github)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostPagerDutyAsync(pagerDuty)).StatusCode);
        await using var db = await DbAsync();
        Assert.Equal((0, 0), (await db.Deployments.CountAsync(Ct), await db.Incidents.CountAsync(Ct)));
    }

    [Fact]
    public async Task Secrets_are_stored_protected_never_in_clear()
    {
        await using var db = await DbAsync();
        var stored = await db.WebhookSecrets.Select(s => s.ProtectedSecret).ToListAsync(Ct);

        Assert.Equal(4, stored.Count);
        Assert.All(stored, p => Assert.DoesNotContain("webhook secret", p));
        var listed = await _app.Services.GetRequiredService<WebhookSecrets>().ListAsync(Ct);
        Assert.Contains(listed, s => s.SpeaksFor == "repository acme/payments-api");
        Assert.Contains(listed, s => s.SpeaksFor == "service payments/payments-api");
        Assert.Contains(listed, s => s.SpeaksFor == "team search");
    }

    [Fact]
    public async Task GitHub_deployment_statuses_become_one_deployment_that_finishes()
    {
        Assert.Equal(
            HttpStatusCode.Created,
            (await PostGitHubAsync(Payload("github-deployment-status-in-progress.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode
        ); // redelivered

        await using var db = await DbAsync();
        var deployment = await db.Deployments.Include(d => d.Environment).SingleAsync(Ct);
        Assert.Equal("github", deployment.Source);
        Assert.Equal("145988746", deployment.ExternalId);
        Assert.Equal("production", deployment.Environment.Name);
        Assert.Equal(DeploymentOutcome.Succeeded, deployment.Outcome);
        Assert.Equal("v1.42.0", deployment.Version);
        Assert.Equal("4b825dc642cb6eb9a060e54bf8d69288fbee4904", deployment.CommitSha);
        Assert.Equal(new DateTime(2026, 11, 20, 10, 2, 13, DateTimeKind.Utc), deployment.StartedAt);
        Assert.Equal(new DateTime(2026, 11, 20, 10, 7, 41, DateTimeKind.Utc), deployment.FinishedAt);
    }

    [Theory]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha1=abc")]
    [InlineData("")]
    public async Task A_GitHub_delivery_with_a_bad_signature_is_refused_and_stores_nothing(string signature)
    {
        var response = await PostGitHubAsync(Payload("github-deployment-status-success.json"), signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Deployments.CountAsync(Ct));
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_refused()
    {
        var body = Payload("github-deployment-status-success.json");
        var signature = "sha256=" + WebhookSignature.Compute(GitHubSecret, body);
        var tampered = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(body).Replace("\"success\"", "\"failure\"", StringComparison.Ordinal)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostGitHubAsync(tampered, signature)).StatusCode);
    }

    [Fact]
    public async Task A_late_in_progress_status_does_not_undo_a_success_and_bad_payloads_are_refused()
    {
        Assert.Equal(
            HttpStatusCode.Created,
            (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostGitHubAsync(Payload("github-deployment-status-in-progress.json"))).StatusCode
        ); // delivered late

        var noTimes = Encoding
            .UTF8.GetString(Payload("github-deployment-status-success.json"))
            .Replace("\"created_at\"", "\"created\"", StringComparison.Ordinal)
            .Replace("145988746", "145988999", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostGitHubAsync(Encoding.UTF8.GetBytes(noTimes))).StatusCode);

        await using var db = await DbAsync();
        Assert.Equal(DeploymentOutcome.Succeeded, (await db.Deployments.SingleAsync(Ct)).Outcome);
    }

    [Fact]
    public async Task A_repository_name_matches_whatever_its_case()
    {
        var body = Encoding.UTF8.GetBytes(
            Encoding
                .UTF8.GetString(Payload("github-deployment-status-success.json"))
                .Replace(
                    "\"full_name\": \"acme/payments-api\"",
                    "\"full_name\": \"Acme/Payments-API\"",
                    StringComparison.Ordinal
                )
        );

        Assert.Equal(HttpStatusCode.Created, (await PostGitHubAsync(body)).StatusCode);
    }

    [Fact]
    public async Task Other_GitHub_events_are_acknowledged_and_ignored()
    {
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await PostGitHubAsync(
                    Encoding.UTF8.GetBytes("""{"zen":"Keep it logically awesome.","hook_id":1}"""),
                    githubEvent: "ping"
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await PostGitHubAsync(Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}"""), githubEvent: "push")
            ).StatusCode
        );
    }

    [Fact]
    public async Task PagerDuty_incidents_open_resolve_and_ignore_notes()
    {
        Assert.Equal(
            HttpStatusCode.Created,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-triggered.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-annotated.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-resolved.json"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostPagerDutyAsync(Payload("pagerduty-incident-resolved.json"))).StatusCode
        ); // redelivered

        await using var db = await DbAsync();
        var incident = await db.Incidents.SingleAsync(Ct);
        Assert.Equal("PGR0VU2", incident.ExternalId);
        Assert.Equal(1, incident.Severity); // priority P1
        Assert.Equal("A little bump in the road", incident.Title);
        Assert.Equal("https://acme.pagerduty.com/incidents/PGR0VU2", incident.Link);
        Assert.Equal(new DateTime(2026, 11, 20, 19, 30, 5, DateTimeKind.Utc), incident.ResolvedAt);
    }

    [Fact]
    public async Task A_PagerDuty_delivery_with_a_bad_signature_is_refused_and_stores_nothing()
    {
        var response = await PostPagerDutyAsync(
            Payload("pagerduty-incident-triggered.json"),
            "v1=" + WebhookSignature.Compute("another secret", Payload("pagerduty-incident-triggered.json"))
        );

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
    }

    [Fact]
    public async Task PagerDuty_accepts_any_of_several_signatures_while_a_secret_rotates()
    {
        var body = Payload("pagerduty-incident-triggered.json");

        var response = await PostPagerDutyAsync(
            body,
            $"v1={WebhookSignature.Compute("old secret", body)},v1={WebhookSignature.Compute(PagerDutySecret, body)}"
        );

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Alertmanager_alerts_become_incidents_by_fingerprint_and_resolve()
    {
        var firing = await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _searchKey);
        Assert.Equal(HttpStatusCode.OK, firing.StatusCode);
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _searchKey)).StatusCode
        ); // repeat interval
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostAlertmanagerAsync(Payload("alertmanager-resolved.json"), _searchKey)).StatusCode
        );

        await using var db = await DbAsync();
        var incidents = await db.Incidents.OrderBy(i => i.ImpactStartedAt).ToListAsync(Ct);
        Assert.Equal(2, incidents.Count);
        Assert.Equal("c6a8e5d3c1f1a2b9", incidents[0].ExternalId);
        Assert.Equal("Elevated 5xx on /query", incidents[0].Title); // the summary annotation
        Assert.Equal(1, incidents[0].Severity); // critical
        Assert.Equal(new DateTime(2026, 11, 20, 8, 52, 0, DateTimeKind.Utc), incidents[0].ResolvedAt);
        Assert.Equal("SlowIndexing", incidents[1].Title); // no summary: the alertname
        Assert.Equal(3, incidents[1].Severity); // warning
        Assert.Null(incidents[1].ResolvedAt);
    }

    [Fact]
    public async Task Alertmanager_needs_a_key_for_the_services_team_and_a_service_label()
    {
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), null)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _paymentsKey)).StatusCode
        );
        var noService = Encoding
            .UTF8.GetString(Payload("alertmanager-firing.json"))
            .Replace(
                "\"service\": \"search-api\", \"severity\": \"warning\"",
                "\"severity\": \"warning\"",
                StringComparison.Ordinal
            );
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await PostAlertmanagerAsync(Encoding.UTF8.GetBytes(noService), _searchKey)).StatusCode
        );
        // The second alert passes parsing but breaks the API's rules (it starts in the future): the valid first one is
        // not stored either.
        var future = Encoding
            .UTF8.GetString(Payload("alertmanager-firing.json"))
            .Replace("2026-11-20T08:20:00Z", "2999-01-01T00:00:00Z", StringComparison.Ordinal);
        var refused = await PostAlertmanagerAsync(Encoding.UTF8.GetBytes(future), _searchKey);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("alerts[1].startedAt", await refused.Content.ReadAsStringAsync(Ct));

        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
    }

    [Fact]
    public async Task A_webhook_without_any_secret_says_how_to_add_one_and_a_retired_setting_grants_nothing()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["Webhooks:GitHub:Secret"] = "one secret that once spoke for every repository",
            }
        );
        using var client = app.CreateClient();
        var body = Payload("github-deployment-status-success.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github")
        {
            Content = new ByteArrayContent(body),
        };
        request.Headers.Add(
            "X-Hub-Signature-256",
            "sha256=" + WebhookSignature.Compute("one secret that once spoke for every repository", body)
        );

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("webhooks add --tool github", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("P1", "low", 1)]
    [InlineData("P3", "high", 3)]
    [InlineData(null, "high", 2)]
    [InlineData(null, "low", 3)]
    public void PagerDuty_severity_comes_from_priority_then_urgency(string? priority, string urgency, int expected) =>
        Assert.Equal(expected, PagerDutyIncidents.SeverityOf(priority, urgency));
}
