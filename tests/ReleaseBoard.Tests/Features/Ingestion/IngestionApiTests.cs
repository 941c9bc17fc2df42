using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Features.Ingestion.Import;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion;

public class IngestionApiTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Id() => Guid.NewGuid().ToString("N");

    private static DateTimeOffset Ago(int minutes) => DateTimeOffset.UtcNow.AddMinutes(-minutes);

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await JsonOf(response);
    }

    private static async Task AssertFieldError(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.True(
            problem.GetProperty("errors").TryGetProperty(field, out var messages),
            $"no error on {field}: {problem}"
        );
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task A_deployment_reported_when_it_starts_and_again_when_it_finishes_is_one_record()
    {
        var externalId = Id();
        var started = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "payments-api",
                environment = "production",
                version = "1.4.2",
                commitSha = "abc123",
                committedAt = Ago(90),
                startedAt = Ago(10),
                source = "github",
                externalId,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var first = await JsonOf(started);
        Assert.Equal("inProgress", first.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finishedAt").ValueKind);

        var finished = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "payments-api",
                environment = "production",
                version = "1.4.2",
                startedAt = Ago(10),
                finishedAt = Ago(2),
                outcome = "succeeded",
                trigger = "manual",
                source = "github",
                externalId,
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        var second = await JsonOf(finished);
        Assert.Equal(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        Assert.Equal("succeeded", second.GetProperty("outcome").GetString());
        Assert.Equal("manual", second.GetProperty("trigger").GetString());
        Assert.Equal("abc123", second.GetProperty("commitSha").GetString()); // earlier facts are kept
        Assert.Equal("github", second.GetProperty("source").GetString());
        await using var db = await fixture.DbAsync();
        Assert.Equal(1, await db.Deployments.CountAsync(d => d.ExternalId == externalId, Ct));
    }

    [Fact]
    public async Task Every_event_records_when_it_was_received_beside_the_times_its_report_gives()
    {
        var externalId = Id();
        var receivedAfter = DateTime.UtcNow.AddSeconds(-1);
        var started = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "payments-api",
                environment = "staging",
                version = "9.9.9",
                startedAt = Ago(3 * 24 * 60),
                source = "ci",
                externalId,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        await using (var db = await fixture.DbAsync())
        {
            var stored = await db.Deployments.AsNoTracking().SingleAsync(d => d.ExternalId == externalId, Ct);
            Assert.InRange(stored.ReceivedAt, receivedAfter, DateTime.UtcNow);
            Assert.Equal(stored.ReceivedAt, stored.OutcomeReceivedAt);
        }
        await Task.Delay(50, Ct);
        var finishedAfter = DateTime.UtcNow;
        var finished = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "payments-api",
                environment = "staging",
                version = "9.9.9",
                startedAt = Ago(3 * 24 * 60),
                finishedAt = Ago(3 * 24 * 60 - 5),
                outcome = "succeeded",
                source = "ci",
                externalId,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        var incidentId = Id();
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await fixture.Payments.PostAsJsonAsync(
                    "/api/v1/incidents",
                    new
                    {
                        service = "ledger",
                        severity = 4,
                        title = "Old news",
                        startedAt = Ago(60 * 24),
                        resolvedAt = Ago(60 * 23),
                        source = "statuspage",
                        externalId = incidentId,
                    },
                    Ct
                )
            ).StatusCode
        );

        await using var check = await fixture.DbAsync();
        var deployment = await check.Deployments.AsNoTracking().SingleAsync(d => d.ExternalId == externalId, Ct);
        Assert.True(deployment.ReceivedAt < finishedAfter, "the first report's time stays");
        Assert.InRange(deployment.OutcomeReceivedAt, finishedAfter, DateTime.UtcNow); // when its success was learned
        var incident = await check.Incidents.AsNoTracking().SingleAsync(i => i.ExternalId == incidentId, Ct);
        Assert.InRange(incident.ReceivedAt, receivedAfter, DateTime.UtcNow);
    }

    [Fact]
    public async Task A_rollback_names_the_deployment_it_reverts()
    {
        var bad = Id();
        await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "ledger",
                environment = "production",
                version = "2.0.0",
                startedAt = Ago(30),
                finishedAt = Ago(28),
                outcome = "rolledBack",
                source = "ci",
                externalId = bad,
            },
            Ct
        );

        var rollback = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "ledger",
                environment = "production",
                version = "1.9.9",
                startedAt = Ago(27),
                finishedAt = Ago(25),
                outcome = "succeeded",
                kind = "rollback",
                rollsBack = bad,
                source = "ci",
                externalId = Id(),
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, rollback.StatusCode);
        Assert.Equal(bad, (await JsonOf(rollback)).GetProperty("rollsBack").GetString());
        await AssertFieldError(
            await fixture.Payments.PostAsJsonAsync(
                "/api/v1/deployments",
                new
                {
                    service = "ledger",
                    environment = "production",
                    version = "1",
                    startedAt = Ago(3),
                    finishedAt = Ago(2),
                    outcome = "succeeded",
                    kind = "rollback",
                    rollsBack = "nope",
                    source = "ci",
                },
                Ct
            ),
            "rollsBack"
        );
    }

    [Fact]
    public async Task An_incident_is_resolved_later_by_PATCH_and_replays_never_duplicate_it()
    {
        var externalId = Id();
        var opened = await fixture.AllTeams.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "search-api",
                severity = 2,
                title = "Elevated 5xx",
                startedAt = Ago(60),
                url = "https://pager.example/i/1",
                source = "pagerduty",
                externalId,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await fixture.AllTeams.PostAsJsonAsync(
                    "/api/v1/incidents",
                    new
                    {
                        service = "search-api",
                        severity = 2,
                        title = "Elevated 5xx",
                        startedAt = Ago(60),
                        source = "pagerduty",
                        externalId,
                    },
                    Ct
                )
            ).StatusCode
        );

        var resolved = await fixture.Search.PatchAsJsonAsync(
            $"/api/v1/incidents/pagerduty/{externalId}",
            new { resolvedAt = Ago(5), severity = 1 },
            Ct
        );

        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var item = await JsonOf(resolved);
        Assert.Equal(1, item.GetProperty("severity").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("resolvedAt").ValueKind);
        Assert.Equal("https://pager.example/i/1", item.GetProperty("url").GetString());
        await AssertFieldError(
            await fixture.Search.PatchAsJsonAsync(
                $"/api/v1/incidents/pagerduty/{externalId}",
                new { resolvedAt = Ago(120) },
                Ct
            ),
            "resolvedAt"
        );
        Assert.Contains(
            "unknown",
            (
                await AssertProblem(
                    await fixture.Search.PatchAsJsonAsync(
                        "/api/v1/incidents/pagerduty/unknown",
                        new { resolvedAt = Ago(1) },
                        Ct
                    ),
                    HttpStatusCode.NotFound
                )
            )
                .GetProperty("detail")
                .GetString()
        );
        // Another team's key does not even learn that the incident exists.
        await AssertProblem(
            await fixture.Payments.PatchAsJsonAsync(
                $"/api/v1/incidents/pagerduty/{externalId}",
                new { resolvedAt = Ago(1) },
                Ct
            ),
            HttpStatusCode.NotFound
        );
    }

    [Fact]
    public async Task An_incident_can_name_the_deployment_that_caused_it()
    {
        var deployment = Id();
        await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "payments-api",
                environment = "production",
                version = "3.0.0",
                startedAt = Ago(50),
                finishedAt = Ago(48),
                outcome = "succeeded",
                source = "github",
                externalId = deployment,
            },
            Ct
        );

        var incident = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 1,
                title = "Double charges",
                startedAt = Ago(45),
                causedBy = new { source = "github", externalId = deployment },
                source = "opsgenie",
                externalId = Id(),
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, incident.StatusCode);
        Assert.Equal(
            deployment,
            (await JsonOf(incident)).GetProperty("causedBy").GetProperty("externalId").GetString()
        );
    }

    [Fact]
    public async Task A_catch_through_the_API_resets_the_sign_and_tells_open_walls()
    {
        var notifier = fixture.App.Services.GetRequiredService<DataChangeNotifier>();
        var before = notifier.Version;

        var response = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/catches",
            new
            {
                service = "ledger",
                environment = "staging",
                severity = 2,
                title = "Rounding error in refunds",
                caughtAt = Ago(1),
                reportedBy = "contract tests",
                source = "jira",
                externalId = Id(),
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(notifier.Version > before, "open walls were not told");
        var sign = await JsonOf(await fixture.Payments.GetAsync("/api/v1/teams/payments/sign", Ct));
        Assert.Equal(0, sign.GetProperty("daysSince").GetInt32());
        Assert.Equal("ledger", sign.GetProperty("latestCatch").GetProperty("service").GetString());
    }

    [Fact]
    public async Task The_API_a_CSV_file_and_the_recorder_behind_the_form_refuse_an_event_in_the_same_words()
    {
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        var api = await AssertProblem(
            await fixture.Payments.PostAsJsonAsync(
                "/api/v1/catches",
                new
                {
                    service = "ledger",
                    environment = "staging",
                    severity = 2,
                    title = "From tomorrow",
                    caughtAt = tomorrow,
                    reportedBy = "qa",
                },
                Ct
            ),
            HttpStatusCode.BadRequest
        );
        var incident = await AssertProblem(
            await fixture.Payments.PostAsJsonAsync(
                "/api/v1/incidents",
                new
                {
                    service = "ledger",
                    severity = 2,
                    title = "Resolved before it began",
                    startedAt = Ago(60),
                    resolvedAt = Ago(90),
                },
                Ct
            ),
            HttpStatusCode.BadRequest
        );

        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var form = await new CatchRecorder(database, clock).RecordAsync(
            new RecordCatchCommand(team.ServiceId, team.StagingId, 2, "x", null, null, "qa", tomorrow.UtcDateTime),
            AuditActor.AnonymousUser,
            Ct
        );
        var csv = await new EventImporter(database, clock, []).ImportAsync(
            ImportKind.Catches,
            $"service,environment,severity,title,caughtAt,reportedBy,source\n"
                + $"payments-api,staging,2,x,{tomorrow:O},qa,api\n"
                + $"payments-api,staging,2,y,{Ago(60):O},qa,{new string('s', 65)}\n",
            AuditActor.System,
            dryRun: false,
            Ct
        );

        var incidentCsv = await new EventImporter(database, clock, []).ImportAsync(
            ImportKind.Incidents,
            $"service,severity,title,startedAt,resolvedAt\npayments-api,2,x,{Ago(60):O},{Ago(90):O}\n",
            AuditActor.System,
            dryRun: false,
            Ct
        );

        const string future = "The time of the catch cannot be in the future.";
        const string resolvedEarly = "The resolution time is before the impact start.";
        Assert.Equal(future, api.GetProperty("errors").GetProperty("caughtAt")[0].GetString());
        Assert.Equal(future, Assert.Single(Assert.IsType<IngestOutcome<long>.Invalid>(form).Errors["caughtAt"]));
        Assert.Equal(future, Assert.Single(csv.Problems, p => p.Field == "caughtAt").Message);
        Assert.Equal(
            "The source can be at most 64 characters.",
            Assert.Single(csv.Problems, p => p.Field == "source").Message
        );
        Assert.Equal(resolvedEarly, incident.GetProperty("errors").GetProperty("resolvedAt")[0].GetString());
        Assert.Equal(resolvedEarly, Assert.Single(incidentCsv.Problems, p => p.Field == "resolvedAt").Message);
    }

    [Theory]
    [InlineData("/api/v1/deployments")]
    [InlineData("/api/v1/incidents")]
    [InlineData("/api/v1/catches")]
    public async Task The_same_event_sent_ten_times_at_once_is_stored_once(string path)
    {
        var externalId = Id();
        object body = path switch
        {
            "/api/v1/deployments" => new
            {
                service = "payments-api",
                environment = "staging",
                version = "9.9.9",
                startedAt = Ago(5),
                finishedAt = Ago(4),
                outcome = "succeeded",
                source = "replay",
                externalId,
            },
            "/api/v1/incidents" => new
            {
                service = "payments-api",
                severity = 3,
                title = "Replayed",
                startedAt = Ago(5),
                source = "replay",
                externalId,
            },
            _ => new
            {
                service = "payments-api",
                environment = "staging",
                severity = 3,
                title = "Replayed",
                caughtAt = Ago(5),
                reportedBy = "ci",
                source = "replay",
                externalId,
            },
        };

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(_ => fixture.Payments.PostAsJsonAsync(path, body, Ct))
        );

        Assert.All(responses, r =>
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}")
        );
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(responses.Select(async r => (await JsonOf(r)).GetProperty("id").GetInt64()));
        Assert.Single(ids.Distinct());
        await using var db = await fixture.DbAsync();
        var stored = path switch
        {
            "/api/v1/deployments" => await db.Deployments.CountAsync(d => d.ExternalId == externalId, Ct),
            "/api/v1/incidents" => await db.Incidents.CountAsync(i => i.ExternalId == externalId, Ct),
            _ => await db.Catches.CountAsync(c => c.ExternalId == externalId, Ct),
        };
        Assert.Equal(1, stored);
    }

    public static TheoryData<string, string, string> InvalidBodies() =>
        new()
        {
            { "/api/v1/deployments", "{ not json", "body" },
            {
                "/api/v1/deployments",
                """{"service":"payments-api","environment":"staging","version":"1","startedAt":"yesterday"}""",
                "startedAt"
            },
            {
                "/api/v1/deployments",
                """
                    {"service":"payments-api","environment":"staging","version":"1","startedAt":"2026-01-01T00:00:00Z",
                     "finishedAt":"2026-01-01T00:05:00Z","outcome":"exploded"}
                    """,
                "outcome"
            },
            {
                "/api/v1/deployments",
                """
                    {"service":"payments-api","environment":"staging","version":"1","startedAt":"2026-01-01T00:00:00Z",
                     "finishedAt":"2025-12-31T00:00:00Z","outcome":"succeeded"}
                    """,
                "finishedAt"
            },
            {
                "/api/v1/deployments",
                """
                    {"service":"payments-api","environment":"staging","version":"1","startedAt":"2999-01-01T00:00:00Z"}
                    """,
                "startedAt"
            },
            { "/api/v1/deployments", """{"environment":"staging","startedAt":"2026-01-01T00:00:00Z"}""", "service" },
            {
                "/api/v1/deployments",
                """{"service":"payments-api","environment":"staging","startedAt":"2026-01-01T00:00:00Z"}""",
                "version"
            },
            {
                "/api/v1/deployments",
                """
                    {"service":"payments-api","environment":"staging","version":"1","startedAt":"2026-01-01T00:00:00Z",
                     "finishedAt":"2026-01-01T00:05:00Z"}
                    """,
                "outcome"
            },
            {
                "/api/v1/incidents",
                """{"service":"payments-api","severity":"high","title":"x","startedAt":"2026-01-01T00:00:00Z"}""",
                "severity"
            },
            {
                "/api/v1/incidents",
                """{"service":"payments-api","severity":9,"title":"x","startedAt":"2026-01-01T00:00:00Z"}""",
                "severity"
            },
            {
                "/api/v1/incidents",
                """
                    {"service":"payments-api","severity":2,"title":"x","startedAt":"2026-01-02T00:00:00Z",
                     "resolvedAt":"2026-01-01T00:00:00Z"}
                    """,
                "resolvedAt"
            },
            {
                "/api/v1/incidents",
                """
                    {"service":"payments-api","severity":2,"title":"x","startedAt":"2026-01-01T00:00:00Z",
                     "url":"javascript:alert(1)"}
                    """,
                "url"
            },
            {
                "/api/v1/incidents",
                """{"service":"payments-api","severity":2,"startedAt":"2026-01-01T00:00:00Z"}""",
                "title"
            },
            {
                "/api/v1/catches",
                """
                    {"service":"payments-api","environment":"production","severity":2,"title":"x","reportedBy":"y",
                     "caughtAt":"2026-01-01T00:00:00Z"}
                    """,
                "environment"
            },
            {
                "/api/v1/catches",
                """
                    {"service":"payments-api","environment":"staging","severity":2,"title":"","reportedBy":"y",
                     "caughtAt":"2026-01-01T00:00:00Z"}
                    """,
                "title"
            },
            { "/api/v1/catches", "[]", "body" },
            { "/api/v1/catches", "null", "body" },
        };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Bad_bodies_get_a_message_on_their_field_and_store_nothing(string path, string json, string field)
    {
        var before = await CountAllAsync();

        var response = await fixture.Payments.PostAsync(
            path,
            new StringContent(json, Encoding.UTF8, "application/json"),
            Ct
        );

        await AssertFieldError(response, field);
        Assert.Equal(before, await CountAllAsync());
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        var huge = JsonSerializer.Serialize(
            new
            {
                service = "payments-api",
                environment = "staging",
                severity = 2,
                title = "x",
                description = new string('x', 70_000),
                reportedBy = "y",
                caughtAt = Ago(1),
            }
        );

        await AssertFieldError(
            await fixture.Payments.PostAsync(
                "/api/v1/catches",
                new StringContent(huge, Encoding.UTF8, "application/json"),
                Ct
            ),
            "body"
        );
    }

    [Fact]
    public async Task Unknown_services_and_environments_are_named_in_a_404()
    {
        var service = await AssertProblem(
            await fixture.Payments.PostAsJsonAsync(
                "/api/v1/deployments",
                new
                {
                    service = "billing",
                    environment = "staging",
                    version = "1",
                    startedAt = Ago(1),
                },
                Ct
            ),
            HttpStatusCode.NotFound
        );
        var environment = await AssertProblem(
            await fixture.Payments.PostAsJsonAsync(
                "/api/v1/deployments",
                new
                {
                    service = "ledger",
                    environment = "qa",
                    version = "1",
                    startedAt = Ago(1),
                },
                Ct
            ),
            HttpStatusCode.NotFound
        );

        Assert.Contains("billing", service.GetProperty("detail").GetString());
        Assert.Contains("qa", environment.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_key_of_another_team_is_told_the_service_does_not_exist_and_no_key_gets_401()
    {
        var body = new
        {
            service = "payments-api",
            severity = 2,
            title = "x",
            startedAt = Ago(3),
        };
        var before = await CountAllAsync();

        var foreign = await AssertProblem(
            await fixture.Search.PostAsJsonAsync("/api/v1/incidents", body, Ct),
            HttpStatusCode.NotFound
        );
        var unknown = await AssertProblem(
            await fixture.Search.PostAsJsonAsync(
                "/api/v1/incidents",
                new
                {
                    service = "no-such-api",
                    severity = 2,
                    title = "x",
                    startedAt = Ago(3),
                },
                Ct
            ),
            HttpStatusCode.NotFound
        );
        Assert.Equal(
            unknown.GetProperty("detail").GetString()!.Replace("no-such-api", "payments-api"),
            foreign.GetProperty("detail").GetString()
        );
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await fixture.Anonymous.PostAsJsonAsync("/api/v1/incidents", body, Ct)).StatusCode
        );
        Assert.Equal(before, await CountAllAsync());
    }

    [Fact]
    public async Task Teams_list_services_and_environments_with_their_states_for_what_the_key_may_read()
    {
        var all = await JsonOf(await fixture.AllTeams.GetAsync("/api/v1/teams", Ct));
        var scoped = await JsonOf(await fixture.Search.GetAsync("/api/v1/teams", Ct));

        Assert.Equal(
            ["payments", "quiet", "search"],
            all.EnumerateArray().Select(t => t.GetProperty("slug").GetString())
        );
        Assert.Equal(["search"], scoped.EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        var environments = all[0].GetProperty("services")[0].GetProperty("environments");
        Assert.Equal("dev", environments[0].GetProperty("slug").GetString());
        Assert.Equal("continuous", environments[0].GetProperty("state").GetString());
        Assert.True(environments[2].GetProperty("isProduction").GetBoolean());
    }

    [Fact]
    public async Task Lists_filter_by_team_service_and_time_and_page_with_a_total()
    {
        var source = "list-" + Id()[..8];
        for (var i = 0; i < 5; i++)
            await fixture.AllTeams.PostAsJsonAsync(
                "/api/v1/catches",
                new
                {
                    service = "search-api",
                    environment = "staging",
                    severity = 3,
                    title = $"List {i}",
                    caughtAt = Ago(100 - i),
                    reportedBy = "qa",
                    source,
                    externalId = $"{i}",
                },
                Ct
            );

        var page = await JsonOf(
            await fixture.AllTeams.GetAsync(
                "/api/v1/catches?team=search&service=search-api"
                    + $"&from={Uri.EscapeDataString(Ago(101).ToString("O"))}"
                    + $"&to={Uri.EscapeDataString(Ago(96).ToString("O"))}"
                    + "&page=2&pageSize=2",
                Ct
            )
        );

        Assert.Equal(5, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        var items = page.GetProperty("items");
        Assert.Equal(["List 2", "List 1"], items.EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        Assert.Equal(source, items[0].GetProperty("source").GetString());
        Assert.Equal("2", items[0].GetProperty("externalId").GetString());
        await AssertFieldError(await fixture.AllTeams.GetAsync("/api/v1/catches?pageSize=501", Ct), "pageSize");
        await AssertProblem(
            await fixture.Search.GetAsync("/api/v1/deployments?team=payments", Ct),
            HttpStatusCode.NotFound
        );
        var scopedToSearch = await JsonOf(await fixture.Search.GetAsync("/api/v1/incidents", Ct));
        Assert.All(scopedToSearch.GetProperty("items").EnumerateArray(), i =>
            Assert.Equal("search", i.GetProperty("team").GetString())
        );
    }

    [Fact]
    public async Task The_sign_has_null_figures_where_they_are_undefined()
    {
        // a team nothing is posted to
        var sign = await JsonOf(await fixture.AllTeams.GetAsync("/api/v1/teams/quiet/sign", Ct));

        Assert.Equal("quiet", sign.GetProperty("team").GetString());
        Assert.Equal(0, sign.GetProperty("failures90d").GetInt32());
        Assert.Equal(JsonValueKind.Null, sign.GetProperty("mtbfHours90d").ValueKind);
        Assert.Equal(JsonValueKind.Null, sign.GetProperty("mttrMinutes90d").ValueKind);
        Assert.Equal(JsonValueKind.Null, sign.GetProperty("latestCatch").ValueKind);
        Assert.Equal(3, sign.GetProperty("environments").GetArrayLength());
        await AssertProblem(await fixture.AllTeams.GetAsync("/api/v1/teams/nowhere/sign", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Teams_may_use_the_same_external_ids_without_seeing_or_blocking_each_other()
    {
        var externalId = Id();
        var payments = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "payments-api",
                severity = 3,
                title = "Payments' own",
                startedAt = Ago(9),
                source = "ci",
                externalId,
            },
            Ct
        );
        var search = await fixture.Search.PostAsJsonAsync(
            "/api/v1/incidents",
            new
            {
                service = "search-api",
                severity = 3,
                title = "Search's own",
                startedAt = Ago(8),
                source = "ci",
                externalId,
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, payments.StatusCode);
        Assert.Equal(HttpStatusCode.Created, search.StatusCode);
        Assert.NotEqual(
            (await JsonOf(payments)).GetProperty("id").GetInt64(),
            (await JsonOf(search)).GetProperty("id").GetInt64()
        );
        Assert.Equal("Search's own", (await JsonOf(search)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_late_in_progress_report_never_undoes_a_finished_deployment()
    {
        var externalId = Id();
        await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "ledger",
                environment = "staging",
                version = "5",
                startedAt = Ago(10),
                finishedAt = Ago(4),
                outcome = "succeeded",
                source = "gh",
                externalId,
            },
            Ct
        );

        var late = await fixture.Payments.PostAsJsonAsync(
            "/api/v1/deployments",
            new
            {
                service = "ledger",
                environment = "staging",
                version = "5",
                startedAt = Ago(10),
                source = "gh",
                externalId,
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("succeeded", (await JsonOf(late)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Refusals_without_a_body_of_their_own_are_problem_details_too()
    {
        await AssertProblem(
            await fixture.Anonymous.PostAsJsonAsync("/api/v1/deployments", new { }, Ct),
            HttpStatusCode.Unauthorized
        );
        await AssertProblem(await fixture.Anonymous.GetAsync("/api/v1/teams", Ct), HttpStatusCode.Unauthorized);
        await AssertProblem(
            await fixture.AllTeams.GetAsync("/api/v1/catches?from=yesterday", Ct),
            HttpStatusCode.BadRequest
        );
    }

    private async Task<(int, int, int)> CountAllAsync()
    {
        await using var db = await fixture.DbAsync();
        return (
            await db.Deployments.CountAsync(Ct),
            await db.Incidents.CountAsync(Ct),
            await db.Catches.CountAsync(Ct)
        );
    }
}
