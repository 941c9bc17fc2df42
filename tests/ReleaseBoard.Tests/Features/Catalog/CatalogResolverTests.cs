using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Catalog;

public class CatalogResolverTests
{
    [Fact]
    public async Task Events_reach_the_right_service_after_the_catalog_changes_under_a_busy_pipeline()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: true);
        var key = (
            await app
                .Services.GetRequiredService<ApiKeyService>()
                .CreateAsync("platform", null, true, AuditActor.System, TestContext.Current.CancellationToken)
        ).Value;
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        object Deployment(string id) =>
            new
            {
                service = "payments-api",
                environment = "staging",
                version = "1",
                startedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                finishedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                outcome = "succeeded",
                source = "ci",
                externalId = id,
            };
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await client.PostAsJsonAsync(
                    "/api/v1/deployments",
                    Deployment("before"),
                    TestContext.Current.CancellationToken
                )
            ).StatusCode
        );

        // The demo team goes, and the real payments team arrives through the catalog: the same slugs, new rows.
        await app
            .Services.GetRequiredService<DemoDataSeeder>()
            .RemoveAsync(AuditActor.System, TestContext.Current.CancellationToken);
        var report = await app
            .Services.GetRequiredService<CatalogService>()
            .ApplyAsync(
                new CatalogDocument([
                    new CatalogTeamEntry(
                        "payments",
                        "Payments",
                        "Europe/Berlin",
                        null,
                        [
                            new CatalogServiceEntry(
                                "payments-api",
                                null,
                                null,
                                null,
                                [new("staging", null, null, null), new("production", true, null, null)]
                            ),
                        ]
                    ),
                ]),
                AuditActor.System,
                dryRun: false,
                TestContext.Current.CancellationToken
            );
        Assert.True(report.Applied);

        var after = await client.PostAsJsonAsync(
            "/api/v1/deployments",
            Deployment("after"),
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.False(
            (
                await db
                    .Deployments.Include(d => d.Service)
                        .ThenInclude(s => s.Team)
                    .SingleAsync(d => d.ExternalId == "after", TestContext.Current.CancellationToken)
            )
                .Service
                .Team
                .IsDemo
        );
    }
}
