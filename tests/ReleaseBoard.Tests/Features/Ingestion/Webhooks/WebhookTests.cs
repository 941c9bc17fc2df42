using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion.Webhooks;

/// <summary>Each webhook with payloads in the tool's documented format, its signature check, and redelivery.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string GitHubSecret = "github webhook secret for tests";
    private const string PagerDutySecret = "pagerduty webhook secret for tests";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ReleaseBoardAppFactory _app = new(settings: new Dictionary<string, string?>
    {
        ["Webhooks:GitHub:Secret"] = GitHubSecret,
        ["Webhooks:PagerDuty:Secret"] = PagerDutySecret,
    });
    private HttpClient _client = null!;
    private string _searchKey = "";
    private string _paymentsKey = "";

    public async ValueTask InitializeAsync()
    {
        await using (var db = await DbAsync())
        {
            var payments = new Team { Slug = "payments", Name = "Payments", TimeZoneId = "Europe/Berlin", CreatedAt = DateTime.UtcNow };
            var api = new Service { Slug = "payments-api", Name = "payments-api", Team = payments, Repository = "acme/payments-api", PagerDutyServiceId = "PF9KMXH" };
            var search = new Team { Slug = "search", Name = "Search", TimeZoneId = "America/New_York", CreatedAt = DateTime.UtcNow };
            var searchApi = new Service { Slug = "search-api", Name = "search-api", Team = search };
            foreach (var service in new[] { api, searchApi })
                db.AddRange(new ServiceEnvironment { Name = "staging", Order = 0, Service = service },
                    new ServiceEnvironment { Name = "production", Order = 1, IsProduction = true, Service = service });
            await db.SaveChangesAsync(Ct);
        }
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

    private static byte[] Payload(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Features", "Ingestion", "Webhooks", "Payloads", name));

    private Task<HttpResponseMessage> PostGitHubAsync(byte[] body, string? signature = null, string githubEvent = "deployment_status")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", githubEvent);
        request.Headers.Add("X-Hub-Signature-256", signature ?? "sha256=" + WebhookSignature.Compute(GitHubSecret, body));
        return _client.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostPagerDutyAsync(byte[] body, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-PagerDuty-Signature", signature ?? "v1=" + WebhookSignature.Compute(PagerDutySecret, body));
        return _client.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostAlertmanagerAsync(byte[] body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/alertmanager") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return _client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task GitHub_deployment_statuses_become_one_deployment_that_finishes()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostGitHubAsync(Payload("github-deployment-status-in-progress.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode); // redelivered

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
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"success\"", "\"failure\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostGitHubAsync(tampered, signature)).StatusCode);
    }

    [Fact]
    public async Task A_late_in_progress_status_does_not_undo_a_success_and_bad_payloads_are_refused()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostGitHubAsync(Payload("github-deployment-status-success.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostGitHubAsync(Payload("github-deployment-status-in-progress.json"))).StatusCode); // delivered late

        var noTimes = Encoding.UTF8.GetString(Payload("github-deployment-status-success.json"))
            .Replace("\"created_at\"", "\"created\"", StringComparison.Ordinal).Replace("145988746", "145988999", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostGitHubAsync(Encoding.UTF8.GetBytes(noTimes))).StatusCode);

        await using var db = await DbAsync();
        Assert.Equal(DeploymentOutcome.Succeeded, (await db.Deployments.SingleAsync(Ct)).Outcome);
    }

    [Fact]
    public async Task A_repository_name_matches_whatever_its_case()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Payload("github-deployment-status-success.json")).Replace("\"full_name\": \"acme/payments-api\"", "\"full_name\": \"Acme/Payments-API\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, (await PostGitHubAsync(body)).StatusCode);
    }

    [Fact]
    public async Task Other_GitHub_events_are_acknowledged_and_ignored()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostGitHubAsync(Encoding.UTF8.GetBytes("""{"zen":"Keep it logically awesome.","hook_id":1}"""), githubEvent: "ping")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostGitHubAsync(Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}"""), githubEvent: "push")).StatusCode);
    }

    [Fact]
    public async Task PagerDuty_incidents_open_resolve_and_ignore_notes()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostPagerDutyAsync(Payload("pagerduty-incident-triggered.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostPagerDutyAsync(Payload("pagerduty-incident-annotated.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostPagerDutyAsync(Payload("pagerduty-incident-resolved.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostPagerDutyAsync(Payload("pagerduty-incident-resolved.json"))).StatusCode); // redelivered

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
        var response = await PostPagerDutyAsync(Payload("pagerduty-incident-triggered.json"), "v1=" + WebhookSignature.Compute("another secret", Payload("pagerduty-incident-triggered.json")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
    }

    [Fact]
    public async Task PagerDuty_accepts_any_of_several_signatures_while_a_secret_rotates()
    {
        var body = Payload("pagerduty-incident-triggered.json");

        var response = await PostPagerDutyAsync(body, $"v1={WebhookSignature.Compute("old secret", body)},v1={WebhookSignature.Compute(PagerDutySecret, body)}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Alertmanager_alerts_become_incidents_by_fingerprint_and_resolve()
    {
        var firing = await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _searchKey);
        Assert.Equal(HttpStatusCode.OK, firing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _searchKey)).StatusCode); // repeat interval
        Assert.Equal(HttpStatusCode.OK, (await PostAlertmanagerAsync(Payload("alertmanager-resolved.json"), _searchKey)).StatusCode);

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
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAlertmanagerAsync(Payload("alertmanager-firing.json"), _paymentsKey)).StatusCode);
        var noService = Encoding.UTF8.GetString(Payload("alertmanager-firing.json")).Replace("\"service\": \"search-api\", \"severity\": \"warning\"", "\"severity\": \"warning\"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAlertmanagerAsync(Encoding.UTF8.GetBytes(noService), _searchKey)).StatusCode);
        // The second alert passes parsing but breaks the API's rules (it starts in the future): the valid first one is not stored either.
        var future = Encoding.UTF8.GetString(Payload("alertmanager-firing.json")).Replace("2026-11-20T08:20:00Z", "2999-01-01T00:00:00Z", StringComparison.Ordinal);
        var refused = await PostAlertmanagerAsync(Encoding.UTF8.GetBytes(future), _searchKey);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("alerts[1].startedAt", await refused.Content.ReadAsStringAsync(Ct));

        await using var db = await DbAsync();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
    }

    [Fact]
    public async Task A_webhook_without_its_secret_configured_says_so()
    {
        await using var app = new ReleaseBoardAppFactory();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/v1/webhooks/github", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Webhooks:GitHub:Secret", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("P1", "low", 1)]
    [InlineData("P3", "high", 3)]
    [InlineData(null, "high", 2)]
    [InlineData(null, "low", 3)]
    public void PagerDuty_severity_comes_from_priority_then_urgency(string? priority, string urgency, int expected) =>
        Assert.Equal(expected, PagerDutyIncidents.SeverityOf(priority, urgency));
}
