using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Features.Ingestion.Webhooks;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Ingestion.Import;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion;

/// <summary>
/// A deployment says which production incident it fixes (DORA's rework), the same way through the API, a CSV file
/// and a GitHub deployment's payload; a name that finds no incident of the team stores nothing.
/// </summary>
public class FixesIncidentTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Id() => Guid.NewGuid().ToString("N");

    private static DateTimeOffset Ago(int minutes) => DateTimeOffset.UtcNow.AddMinutes(-minutes);

    private async Task<string> OpenIncidentAsync(HttpClient client, string service)
    {
        var id = Id();
        var response = await client.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service,
                severity = 2,
                title = "Checkout errors",
                startedAt = Ago(120),
                source = "pagerduty",
                externalId = id,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static object Deployment(string externalId, object? fixesIncident) =>
        new
        {
            service = "payments-api",
            environment = "production",
            version = "4.1.1",
            startedAt = Ago(30),
            finishedAt = Ago(25),
            outcome = "succeeded",
            source = "pipeline",
            externalId,
            fixesIncident,
        };

    [Fact]
    public async Task A_deployment_through_the_API_names_the_incident_it_fixes_and_answers_with_it()
    {
        var incident = await OpenIncidentAsync(fixture.Payments, "ledger"); // another service of the same team
        var deployment = Id();

        var response = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            Deployment(deployment, new { source = "pagerduty", externalId = incident }),
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(incident, body.GetProperty("fixesIncident").GetProperty("externalId").GetString());
        await using var db = await fixture.DbAsync();
        var stored = await db
            .Deployments.Include(d => d.FixesIncident)
            .SingleAsync(d => d.ExternalId == deployment, Ct);
        Assert.Equal(incident, stored.FixesIncident!.ExternalId);
        var listed = await fixture.Payments.GetFromJsonAsync<JsonElement>(
            "/api/v1/deployments?team=payments&pageSize=500",
            Ct
        );
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), i =>
            i.GetProperty("externalId").GetString() == deployment
            && i.GetProperty("fixesIncident").GetProperty("source").GetString() == "pagerduty"
        );
    }

    [Fact]
    public async Task An_unknown_incident_another_teams_incident_or_half_a_name_is_refused_and_stores_nothing()
    {
        var searchIncident = await OpenIncidentAsync(fixture.Search, "search-api");
        var cases = new object[]
        {
            new { source = "pagerduty", externalId = "no-such-incident" },
            new { source = "pagerduty", externalId = searchIncident },
            new { source = "pagerduty" },
        };
        foreach (var fixes in cases)
        {
            var deployment = Id();
            var response = await fixture.Payments.PostAsJsonAsync(
                "/api/v1/deployments",
                Deployment(deployment, fixes),
                Ct
            );

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty("fixesIncident", out _), problem.ToString());
            await using var db = await fixture.DbAsync();
            Assert.False(await db.Deployments.AnyAsync(d => d.ExternalId == deployment, Ct));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // GitHub keeps a payload given as a string of JSON as that string
    public async Task A_GitHub_deployment_names_the_incident_it_fixes_in_the_payload_it_was_created_with(bool asText)
    {
        var incident = await OpenIncidentAsync(fixture.Payments, "payments-api");
        var deploymentId = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000);
        var body = WebhookPayloads.Edited("github-deployment-status-success.json", node =>
        {
            node["deployment"]!["id"] = deploymentId;
            var payload = new JsonObject
            {
                ["fixesIncident"] = new JsonObject { ["source"] = "pagerduty", ["externalId"] = incident },
            };
            node["deployment"]!["payload"] = asText ? payload.ToJsonString() : payload;
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "deployment_status");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add(
            "X-Hub-Signature-256",
            "sha256=" + WebhookSignature.Compute(IngestionFixture.GitHubSecret, body)
        );

        var response = await fixture.Anonymous.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = await fixture.DbAsync();
        var stored = await db
            .Deployments.Include(d => d.FixesIncident)
            .SingleAsync(d => d.Source == "github" && d.ExternalId == deploymentId.ToString(), Ct);
        Assert.Equal(incident, stored.FixesIncident!.ExternalId);
    }

    [Fact]
    public async Task A_CSV_file_names_the_fixed_incident_in_two_columns_and_a_row_naming_none_stores_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await using (var db = database.CreateDbContext())
        {
            db.Incidents.Add(
                new Incident
                {
                    ServiceId = team.ServiceId,
                    Severity = 2,
                    Title = "Checkout errors",
                    ImpactStartedAt = DateTime.UtcNow.AddHours(-3),
                    DetectedAt = DateTime.UtcNow.AddHours(-3),
                    Source = "opsgenie",
                    ExternalId = "OG-17",
                }
            );
            await db.SaveChangesAsync(Ct);
        }
        var importer = new EventImporter(database, new FakeTimeProvider(DateTimeOffset.UtcNow), []);
        const string header =
            "service,environment,version,startedAt,finishedAt,outcome,externalId,"
            + "fixesIncidentSource,fixesIncidentExternalId\n";

        var refused = await importer.ImportAsync(
            ImportKind.Deployments,
            header
                + $"payments-api,production,2.0.1,{Ago(60):O},{Ago(55):O},succeeded,d-1,opsgenie,OG-17\n"
                + $"payments-api,production,2.0.2,{Ago(50):O},{Ago(45):O},succeeded,d-2,opsgenie,OG-99\n",
            AuditActor.System,
            dryRun: false,
            Ct
        );
        var imported = await importer.ImportAsync(
            ImportKind.Deployments,
            header + $"payments-api,production,2.0.1,{Ago(60):O},{Ago(55):O},succeeded,d-1,opsgenie,OG-17\n",
            AuditActor.System,
            dryRun: false,
            Ct
        );

        Assert.False(refused.Applied);
        Assert.Contains(refused.Problems, p => p.Line == 3 && p.Field == "fixesIncidentExternalId");
        Assert.True(imported.Applied, string.Join("; ", imported.Problems));
        await using var check = database.CreateDbContext();
        var stored = await check.Deployments.Include(d => d.FixesIncident).SingleAsync(Ct);
        Assert.Equal("OG-17", stored.FixesIncident!.ExternalId);
    }
}
