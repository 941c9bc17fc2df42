using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Catalog;

public class CatalogServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private static CatalogDocument Catalog(
        string teamName = "Payments",
        string productionName = "production",
        int? threshold = null
    ) =>
        new([
            new CatalogTeamEntry(
                "payments",
                teamName,
                "Europe/Berlin",
                threshold,
                [
                    new CatalogServiceEntry(
                        "payments-api",
                        "Payments API",
                        "acme/payments-api",
                        "PF9KMXH",
                        [
                            new CatalogEnvironmentEntry("dev", null, null, null),
                            new CatalogEnvironmentEntry("staging", null, null, null),
                            new CatalogEnvironmentEntry(productionName, true, null, 30),
                        ]
                    ),
                    new CatalogServiceEntry(
                        "ledger",
                        null,
                        null,
                        null,
                        [
                            new CatalogEnvironmentEntry("staging", null, null, null),
                            new CatalogEnvironmentEntry("production", true, 3, null),
                        ]
                    ),
                ]
            ),
        ]);

    [Fact]
    public async Task Applying_a_catalog_creates_everything_in_pipeline_order_with_the_policy_defaults()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();

        var report = await new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        ).ApplyAsync(Catalog(), AuditActor.System, dryRun: false, Ct);

        Assert.True(report.Applied);
        Assert.Equal(1 + 2 + 5, report.Created.Count);
        await using var db = database.CreateDbContext();
        var api = await db.Services.Include(s => s.Environments).SingleAsync(s => s.Slug == "payments-api", Ct);
        Assert.Equal("acme/payments-api", api.Repository);
        Assert.Equal(["dev", "staging", "production"], api.Environments.OrderBy(e => e.Order).Select(e => e.Name));
        var production = api.Environments.Single(e => e.IsProduction);
        Assert.Equal((2, 30), (production.RequiredApprovals, production.SoakMinutes));
        Assert.Equal(1, api.Environments.Single(e => e.Name == "dev").RequiredApprovals);
        Assert.Equal(
            3,
            (await db.Environments.SingleAsync(e => e.Service.Slug == "ledger" && e.IsProduction, Ct)).RequiredApprovals
        );
        var audit = await db.AuditEntries.OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(report.Created.Count, audit.Count(a => a.Action == "catalog.created"));
        Assert.Equal("catalog.applied", audit[^1].Action);
    }

    [Fact]
    public async Task Readiness_thresholds_are_set_per_environment_by_the_catalog_and_omitted_ones_are_the_defaults()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var service = new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        );
        await service.ApplyAsync(Catalog(), AuditActor.System, false, Ct);
        var team = Catalog().Teams![0];
        var api = team.Services![0];
        var strict = new CatalogDocument([
            team with
            {
                Services =
                [
                    api with
                    {
                        Environments =
                        [
                            api.Environments![0],
                            api.Environments[1],
                            api.Environments[2] with
                            {
                                Readiness = new CatalogReadinessEntry(14, 30, 5, null, 10),
                            },
                        ],
                    },
                    team.Services[1],
                ],
            },
        ]);

        var report = await service.ApplyAsync(strict, AuditActor.System, false, Ct);

        Assert.Equal(["environment payments/payments-api/production"], report.Updated);
        await using (var db = database.CreateDbContext())
        {
            var production = await db.Environments.SingleAsync(
                e => e.Service.Slug == "payments-api" && e.IsProduction,
                Ct
            );
            Assert.Equal(
                (14, 30, 5, 30, 10),
                (
                    production.ReadinessMinDaysSinceCatch,
                    production.ReadinessMaxMttrMinutes,
                    production.ReadinessMaxChangeFailurePercent,
                    production.ReadinessRollbackWithinDays,
                    production.ReadinessRollbackMaxMinutes
                )
            );
        }
        var exported = (await service.ExportAsync(Ct))
            .Teams!.Single()
            .Services!.Single(s => s.Slug == "payments-api")
            .Environments!;
        Assert.Equal(new CatalogReadinessEntry(14, 30, 5, 30, 10), exported[2].Readiness);
        Assert.Equal(CatalogReadinessEntry.Defaults, exported[1].Readiness);

        // The catalog is the whole truth: applying the first one again puts the defaults back.
        Assert.Equal(
            ["environment payments/payments-api/production"],
            (await service.ApplyAsync(Catalog(), AuditActor.System, false, Ct)).Updated
        );
    }

    [Fact]
    public async Task A_threshold_out_of_range_is_named_by_its_path_and_nothing_is_written()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var service = new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        );
        var team = Catalog().Teams![0];
        var api = team.Services![0];
        var bad = new CatalogDocument([
            team with
            {
                Services =
                [
                    api with
                    {
                        Environments =
                        [
                            api.Environments![0],
                            api.Environments[1],
                            api.Environments[2] with
                            {
                                Readiness = new CatalogReadinessEntry(-1, 0, 101, 400, 2000),
                            },
                        ],
                    },
                ],
            },
        ]);

        var report = await service.ApplyAsync(bad, AuditActor.System, false, Ct);

        const string at = "teams[0].services[0].environments[2].readiness.";
        Assert.Equal(
            [
                at + "maxChangeFailurePercent",
                at + "maxMttrMinutes",
                at + "minDaysSinceCatch",
                at + "rollbackMaxMinutes",
                at + "rollbackWithinDays",
            ],
            report.Errors.Keys.Order()
        );
        Assert.Equal(["0 to 100."], report.Errors[at + "maxChangeFailurePercent"]);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Teams.CountAsync(Ct));
    }

    [Fact]
    public async Task Applying_the_same_catalog_again_changes_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var service = new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        );
        await service.ApplyAsync(Catalog(), AuditActor.System, false, Ct);

        var again = await service.ApplyAsync(Catalog(), AuditActor.System, false, Ct);

        Assert.Empty(again.Created);
        Assert.Empty(again.Updated);
        Assert.Equal(8, again.Unchanged);
    }

    [Fact]
    public async Task Changes_are_updates_and_what_the_catalog_leaves_out_is_reported_not_deleted()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var service = new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        );
        await service.ApplyAsync(Catalog(), AuditActor.System, false, Ct);
        var smaller = Catalog(teamName: "Payments & Billing", threshold: 2) with { };
        smaller = new CatalogDocument([smaller.Teams![0] with { Services = [smaller.Teams[0].Services![0]] }]);

        var report = await service.ApplyAsync(smaller, AuditActor.System, false, Ct);

        Assert.Contains("team payments", report.Updated);
        Assert.Equal(["service payments/ledger"], report.NotInCatalog);
        await using var db = database.CreateDbContext();
        Assert.True(await db.Services.AnyAsync(s => s.Slug == "ledger", Ct)); // reported, kept
        Assert.Equal(
            ("Payments & Billing", 2),
            await db.Teams.Select(t => ValueTuple.Create(t.Name, t.CountingSeverityThreshold)).SingleAsync(Ct)
        );
    }

    [Fact]
    public async Task A_dry_run_reports_and_stores_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();

        var report = await new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        ).ApplyAsync(Catalog(), AuditActor.System, dryRun: true, Ct);

        Assert.False(report.Applied);
        Assert.Equal(8, report.Created.Count);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Teams.CountAsync(Ct));
        Assert.Equal(0, await db.AuditEntries.CountAsync(Ct));
    }

    public static TheoryData<string, CatalogDocument> InvalidCatalogs() =>
        new()
        {
            { "teams", new CatalogDocument(null) },
            { "teams[0].slug", new CatalogDocument([Catalog().Teams![0] with { Slug = "Payments!" }]) },
            { "teams[0].timeZone", new CatalogDocument([Catalog().Teams![0] with { TimeZone = "Mars/Olympus_Mons" }]) },
            {
                "teams[0].countingSeverityThreshold",
                new CatalogDocument([Catalog().Teams![0] with { CountingSeverityThreshold = 7 }])
            },
            { "teams[1].slug", new CatalogDocument([Catalog().Teams![0], Catalog().Teams![0]]) },
            {
                "teams[0].services[0].environments",
                new CatalogDocument([
                    Catalog().Teams![0] with
                    {
                        Services =
                        [
                            new CatalogServiceEntry(
                                "x",
                                null,
                                null,
                                null,
                                [new("a", true, null, null), new("b", true, null, null)]
                            ),
                        ],
                    },
                ])
            },
            {
                "teams[0].services[0].environments[1].name",
                new CatalogDocument([
                    Catalog().Teams![0] with
                    {
                        Services =
                        [
                            new CatalogServiceEntry(
                                "x",
                                null,
                                null,
                                null,
                                [new("a", null, null, null), new("a", true, null, null)]
                            ),
                        ],
                    },
                ])
            },
            {
                "teams[0].services[0].repository",
                new CatalogDocument([
                    Catalog().Teams![0] with
                    {
                        Services =
                        [
                            new CatalogServiceEntry("x", null, "not a repo", null, [new("prod", true, null, null)]),
                        ],
                    },
                ])
            },
            {
                "teams[0].services[0].environments[0].requiredApprovals",
                new CatalogDocument([
                    Catalog().Teams![0] with
                    {
                        Services = [new CatalogServiceEntry("x", null, null, null, [new("prod", true, 0, null)])],
                    },
                ])
            },
        };

    [Theory]
    [MemberData(nameof(InvalidCatalogs))]
    public async Task A_bad_catalog_gets_a_message_on_its_path_and_changes_nothing(string path, CatalogDocument catalog)
    {
        await using var database = await SqliteTestDatabase.CreateAsync();

        var report = await new CatalogService(
            database,
            _clock,
            new ReleaseBoard.Web.Api.ServiceResolver(
                new Microsoft.Extensions.Caching.Memory.MemoryCache(
                    new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()
                )
            )
        ).ApplyAsync(catalog, AuditActor.System, false, Ct);

        Assert.False(report.Succeeded);
        Assert.Contains(path, report.Errors.Keys);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Teams.CountAsync(Ct));
    }
}
