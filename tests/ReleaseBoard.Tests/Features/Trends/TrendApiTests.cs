using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Trends;

/// <summary>The real app: team "metrics" (Berlin) with a hand-worked fortnight in October 2025, and keys.</summary>
public sealed class TrendApiFixture : IAsyncLifetime
{
    public ReleaseBoardAppFactory App { get; } = new();
    public HttpClient Metrics { get; private set; } = null!;
    public HttpClient Other { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient AllTeams { get; private set; } = null!;

    private static DateTime Utc(int d, int h) => new(2025, 10, d, h, 0, 0, DateTimeKind.Utc);

    public async ValueTask InitializeAsync()
    {
        await using (
            var db = await App
                .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                .CreateDbContextAsync()
        )
        {
            var team = new Team
            {
                Slug = "metrics",
                Name = "Metrics",
                TimeZoneId = "Europe/Berlin",
                CreatedAt = DateTime.UtcNow,
            };
            var other = new Team
            {
                Slug = "other",
                Name = "Other",
                TimeZoneId = "Europe/Berlin",
                CreatedAt = DateTime.UtcNow,
            };
            var api = new Service
            {
                Slug = "metrics-api",
                Name = "metrics-api",
                Team = team,
            };
            var web = new Service
            {
                Slug = "metrics-web",
                Name = "metrics-web",
                Team = team,
            };
            var staging = new ServiceEnvironment
            {
                Name = "staging",
                Order = 0,
                Service = api,
            };
            var production = new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                Service = api,
            };
            db.AddRange(
                staging,
                production,
                new ServiceEnvironment
                {
                    Name = "production",
                    Order = 0,
                    IsProduction = true,
                    Service = web,
                },
                new Service
                {
                    Slug = "other-api",
                    Name = "other-api",
                    Team = other,
                }
            );
            // Week of 13 Oct 2025 (Berlin): two overlapping failures, one deployment named as a cause, one rolled back.
            var cause = new Deployment
            {
                Service = api,
                Environment = production,
                Version = "1",
                StartedAt = Utc(14, 8),
                FinishedAt = Utc(14, 9),
                CommitAt = Utc(13, 9),
                Outcome = DeploymentOutcome.Succeeded,
                Source = "test",
            };
            db.AddRange(
                cause,
                new Deployment
                {
                    Service = api,
                    Environment = staging,
                    Version = "1",
                    StartedAt = Utc(13, 20),
                    FinishedAt = Utc(13, 21),
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "test",
                },
                new Deployment
                {
                    Service = api,
                    Environment = production,
                    Version = "2",
                    StartedAt = Utc(15, 8),
                    FinishedAt = Utc(15, 9),
                    Outcome = DeploymentOutcome.RolledBack,
                    Source = "test",
                },
                new Deployment
                {
                    Service = api,
                    Environment = production,
                    Version = "3",
                    StartedAt = Utc(16, 8),
                    FinishedAt = Utc(16, 9),
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "test",
                },
                new Deployment
                {
                    Service = api,
                    Environment = staging,
                    Version = "4",
                    StartedAt = Utc(17, 8),
                    FinishedAt = Utc(17, 9),
                    Outcome = DeploymentOutcome.Succeeded,
                    Source = "test",
                },
                new Incident
                {
                    Service = api,
                    Severity = 1,
                    Title = "Down",
                    ImpactStartedAt = Utc(14, 10),
                    DetectedAt = Utc(14, 10),
                    ResolvedAt = Utc(14, 12),
                    CausingDeployment = cause,
                    Source = "test",
                },
                new Incident
                {
                    Service = api,
                    Severity = 2,
                    Title = "Slow",
                    ImpactStartedAt = Utc(14, 11),
                    DetectedAt = Utc(14, 11),
                    ResolvedAt = Utc(14, 14),
                    Source = "test",
                },
                new Catch
                {
                    Service = api,
                    Environment = staging,
                    Severity = 2,
                    Title = "Caught",
                    ReportedBy = "test",
                    CaughtAt = Utc(15, 10),
                    RecordedAt = Utc(15, 10),
                    Source = "test",
                }
            );
            await db.SaveChangesAsync();
        }
        var keys = App.Services.GetRequiredService<ApiKeyService>();
        Metrics = Client((await keys.CreateAsync("metrics-bot", "metrics", false, AuditActor.System)).Value);
        Other = Client((await keys.CreateAsync("other-bot", "other", false, AuditActor.System)).Value);
        AllTeams = Client((await keys.CreateAsync("dashboard", null, true, AuditActor.System)).Value);
        Anonymous = Client(null);
    }

    private HttpClient Client(string? key) => App.CreateApiClient(key);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { Metrics, Other, Anonymous, AllTeams })
            client?.Dispose();
        await App.DisposeAsync();
    }
}

public class TrendApiTests(TrendApiFixture fixture) : IClassFixture<TrendApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Fortnight = "/api/v1/teams/metrics/metrics?from=2025-10-13&to=2025-10-27&bucket=week";

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    [Fact]
    public async Task Each_bucket_carries_its_local_and_UTC_range_and_every_figure_with_numerator_and_denominator()
    {
        var response = await fixture.Metrics.GetAsync(Fortnight, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonOf(response);
        Assert.Equal("Europe/Berlin", body.GetProperty("timeZone").GetString());
        var buckets = body.GetProperty("buckets");
        Assert.Equal(2, buckets.GetArrayLength());
        var week = buckets[0];
        Assert.Equal("2025-10-13", week.GetProperty("localStart").GetString());
        Assert.Equal("2025-10-20", week.GetProperty("localEnd").GetString());
        Assert.Equal("2025-10-12T22:00:00Z", week.GetProperty("fromUtc").GetString());
        Assert.Equal(2, week.GetProperty("failures").GetInt32());
        Assert.Equal(4, week.GetProperty("downtimeHours").GetDouble()); // 10:00–14:00, overlap once
        Assert.Equal((168 - 4) / 2.0, week.GetProperty("mtbfHours").GetDouble());
        Assert.Equal(150, week.GetProperty("mttrMeanMinutes").GetDouble()); // 2 h and 3 h
        Assert.Equal(1, week.GetProperty("catchRatio").GetProperty("numerator").GetInt32());
        Assert.Equal(3, week.GetProperty("catchRatio").GetProperty("denominator").GetInt32());
        // caused + rolled back
        Assert.Equal(2, week.GetProperty("changeFailureRate").GetProperty("numerator").GetInt32());
        Assert.Equal(3, week.GetProperty("changeFailureRate").GetProperty("denominator").GetInt32());
        Assert.Equal(2, week.GetProperty("succeededDeployments").GetInt32());
        Assert.Equal(24, week.GetProperty("leadTimeHours").GetProperty("median").GetDouble());
        Assert.Equal(12, week.GetProperty("shelfTimeHours").GetProperty("median").GetDouble());
        // DORA: the rolled-back v2 is restored 24 h later by v3; v1, named as a cause, by no deployment yet.
        var recovery = week.GetProperty("failedDeploymentRecovery");
        Assert.Equal(24, recovery.GetProperty("medianHours").GetDouble());
        Assert.Equal(24, recovery.GetProperty("p90Hours").GetDouble());
        Assert.Equal(1, recovery.GetProperty("restored").GetInt32());
        Assert.Equal(1, recovery.GetProperty("open").GetInt32());
        Assert.Equal(0, week.GetProperty("deploymentReworkRate").GetProperty("numerator").GetInt32());
        Assert.Equal(3, week.GetProperty("deploymentReworkRate").GetProperty("denominator").GetInt32());

        var empty = buckets[1];
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("mtbfHours").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("catchRatio").GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task A_service_narrows_the_figures()
    {
        var body = await JsonOf(await fixture.Metrics.GetAsync(Fortnight + "&service=metrics-web", Ct));

        Assert.Equal("metrics-web", body.GetProperty("service").GetString());
        Assert.Equal(0, body.GetProperty("buckets")[0].GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task Accept_text_csv_gives_the_table_the_page_exports()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Fortnight);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await fixture.Metrics.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(
            "releaseboard-trends-metrics-2025-10-13-2025-10-27-week.csv",
            response.Content.Headers.ContentDisposition?.ToString()
        );
        var lines = (await response.Content.ReadAsStringAsync(Ct))
            .TrimEnd()
            .Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(
            string.Join(",", TrendTable.Columns.Select(c => c.Header.Contains(',') ? $"\"{c.Header}\"" : c.Header)),
            lines[0]
        );
        var cells = lines[1].Split(',');
        Assert.Equal("2025-10-13", cells[0]);
        Assert.Equal("82", cells[TrendTable.Columns.ToList().FindIndex(c => c.Header == "MTBF (h)")]);
        // undefined, not 0
        Assert.Equal("", lines[2].Split(',')[TrendTable.Columns.ToList().FindIndex(c => c.Header == "MTBF (h)")]);
    }

    [Fact]
    public async Task CSV_refused_by_quality_zero_gives_JSON()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Fortnight);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("text/csv;q=0"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json"));

        var response = await fixture.Metrics.SendAsync(request, Ct);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_days_since_history_catches_and_waiting_versions_come_along()
    {
        var body = await JsonOf(await fixture.Metrics.GetAsync(Fortnight, Ct));

        Assert.Equal(14, body.GetProperty("daysSince").GetArrayLength());
        Assert.Equal("Caught", body.GetProperty("catches")[0].GetProperty("title").GetString());
        Assert.Equal(0, body.GetProperty("daysSince")[2].GetProperty("days").GetInt32()); // 15 Oct
        // "4" passed staging after "1", the newest pass that reached production
        var waiting = body.GetProperty("waitingNow");
        Assert.Equal(1, waiting.GetProperty("versions").GetInt32());
        Assert.Equal("2025-10-17T09:00:00Z", waiting.GetProperty("oldestPassedAt").GetString());
    }

    [Theory]
    [InlineData("bucket=day", "bucket")]
    [InlineData("from=13.10.2025&to=2025-10-27", "from")]
    [InlineData("from=2025-10-27&to=2025-10-13", "to")]
    [InlineData("range=7d", "range")]
    [InlineData("from=1980-01-01&to=2025-01-01&bucket=week", "from")]
    [InlineData("from=9999-12-01&to=9999-12-31&bucket=month", "from")]
    [InlineData("from=0001-01-01&to=2020-01-01&bucket=month", "from")]
    public async Task Bad_filters_are_refused_field_by_field(string query, string field)
    {
        var response = await fixture.Metrics.GetAsync($"/api/v1/teams/metrics/metrics?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await JsonOf(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Unknown_teams_and_services_are_404_and_so_are_other_teams_for_a_team_key()
    {
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await fixture.AllTeams.GetAsync(Fortnight.Replace("teams/metrics", "teams/nobody"), Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await fixture.Metrics.GetAsync(Fortnight.Replace("teams/metrics", "teams/nobody"), Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await fixture.Metrics.GetAsync(Fortnight + "&service=nope", Ct)).StatusCode
        );
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Other.GetAsync(Fortnight, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous.GetAsync(Fortnight, Ct)).StatusCode);
    }
}
