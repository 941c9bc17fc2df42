using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReleaseBoard.Tests.Features.Ingestion;

namespace ReleaseBoard.Tests.Features.Catalog;

public class CatalogApiTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private static readonly object Body = new
    {
        teams = new[]
        {
            new
            {
                slug = "platform",
                name = "Platform",
                timeZone = "Australia/Sydney",
                services = new[]
                {
                    new
                    {
                        slug = "identity",
                        repository = "acme/identity",
                        environments = new object[]
                        {
                            new { name = "staging" },
                            new { name = "production", isProduction = true },
                        },
                    },
                },
            },
        },
    };

    [Fact]
    public async Task A_key_for_all_teams_applies_the_catalog_and_reads_it_back()
    {
        var dry = await fixture.AllTeams.PutAsJsonAsync(
            "/api/v1/catalog?dryRun=true",
            Body,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.False(
            JsonDocument
                .Parse(await dry.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
                .RootElement.GetProperty("applied")
                .GetBoolean()
        );

        var applied = await fixture.AllTeams.PutAsJsonAsync(
            "/api/v1/catalog",
            Body,
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var report = JsonDocument
            .Parse(await applied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .RootElement;
        Assert.Contains(
            "service platform/identity",
            report.GetProperty("created").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Contains(
            "team payments",
            report.GetProperty("notInCatalog").EnumerateArray().Select(e => e.GetString())
        );
        var catalog = JsonDocument
            .Parse(await fixture.AllTeams.GetStringAsync("/api/v1/catalog", TestContext.Current.CancellationToken))
            .RootElement;
        Assert.Contains(
            "platform",
            catalog.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("slug").GetString())
        );
    }

    [Fact]
    public async Task A_team_key_may_not_touch_the_catalog_and_a_bad_catalog_is_refused()
    {
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await fixture.Payments.PutAsJsonAsync("/api/v1/catalog", Body, TestContext.Current.CancellationToken)
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await fixture.Payments.GetAsync("/api/v1/catalog", TestContext.Current.CancellationToken)).StatusCode
        );

        var bad = await fixture.AllTeams.PutAsJsonAsync(
            "/api/v1/catalog",
            new
            {
                teams = new[]
                {
                    new
                    {
                        slug = "x",
                        name = "X",
                        timeZone = "Nowhere/Land",
                    },
                },
            },
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains(
            "teams[0].timeZone",
            await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );
    }
}
