using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Catalog;

/// <summary>
/// Policy belongs to people: an API key shapes the catalog but never changes who approves or how long.
/// </summary>
public sealed class CatalogPolicyTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReleaseBoardAppFactory _app = new();
    private HttpClient _platform = null!;

    private static CatalogDocument Shop(
        string name = "Shop",
        string timeZone = "Europe/Berlin",
        int? approvals = 2,
        int? soak = 30,
        CatalogReadinessEntry? readiness = null,
        IReadOnlyList<CatalogEnvironmentEntry>? environments = null
    ) =>
        new([
            new CatalogTeamEntry(
                "shop",
                name,
                timeZone,
                null,
                [
                    new CatalogServiceEntry(
                        "shop-api",
                        "Shop API",
                        "acme/shop-api",
                        null,
                        environments
                            ??
                            [
                                new CatalogEnvironmentEntry("staging", null, null, null),
                                new CatalogEnvironmentEntry("production", true, approvals, soak, readiness),
                            ]
                    ),
                ]
            ),
        ]);

    public async ValueTask InitializeAsync()
    {
        var setUp = await _app
            .Services.GetRequiredService<CatalogService>()
            .ApplyAsync(Shop(), AuditActor.CommandLine, dryRun: false, Ct);
        Assert.True(setUp.Applied);
        var key = await _app
            .Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("platform-ci", null, allTeams: true, AuditActor.System, Ct);
        _platform = _app.CreateApiClient(key.Value);
    }

    public async ValueTask DisposeAsync()
    {
        _platform.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<ServiceEnvironment> ProductionAsync()
    {
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        return await db
            .Environments.AsNoTracking()
            .SingleAsync(e => e.Service.Slug == "shop-api" && e.IsProduction, Ct);
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        return await db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync(Ct);
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<Dictionary<string, string[]>>(
            JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors")
        )!;

    [Fact]
    public async Task A_key_lowering_approvals_and_soak_is_refused_whole_naming_every_policy_field()
    {
        var auditBefore = (await AuditAsync()).Count;
        var weaker = Shop(
            name: "Shop renamed",
            approvals: 1,
            soak: 0,
            readiness: new CatalogReadinessEntry(0, null, 100, null, null)
        );

        var response = await _platform.PutAsJsonAsync("/api/v1/catalog", weaker, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var errors = await ErrorsAsync(response);
        const string production = "teams[0].services[0].environments[1]";
        Assert.Equal(
            [
                $"{production}.readiness.maxChangeFailurePercent",
                $"{production}.readiness.minDaysSinceCatch",
                $"{production}.requiredApprovals",
                $"{production}.soakMinutes",
            ],
            errors.Keys.Order()
        );
        Assert.Contains("It stays 2.", errors[$"{production}.requiredApprovals"][0]);
        var stored = await ProductionAsync();
        Assert.Equal(
            (2, 30, 7, 15),
            (
                stored.RequiredApprovals,
                stored.SoakMinutes,
                stored.ReadinessMinDaysSinceCatch,
                stored.ReadinessMaxChangeFailurePercent
            )
        );
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.Equal("Shop", (await db.Teams.SingleAsync(t => t.Slug == "shop", Ct)).Name); // the rename too: whole
        Assert.Equal(auditBefore, (await AuditAsync()).Count);
    }

    private static CatalogDocument ShopWithWindows(params CatalogWindowEntry[] windows) =>
        Shop(
            environments:
            [
                new CatalogEnvironmentEntry("staging", null, null, null),
                new CatalogEnvironmentEntry("production", true, 2, 30, null, windows),
            ]
        );

    [Fact]
    public async Task People_set_windows_by_catalog_audited_and_a_key_may_not_change_them_but_may_keep_them()
    {
        var catalog = _app.Services.GetRequiredService<CatalogService>();
        var set = await catalog.ApplyAsync(
            ShopWithWindows(
                new CatalogWindowEntry("Mon-Thu 09:00-16:00", null),
                new CatalogWindowEntry(null, "Fri 16:00 - Mon 08:00", "weekend")
            ),
            AuditActor.CommandLine,
            dryRun: false,
            Ct
        );
        var again = await catalog.ApplyAsync(
            ShopWithWindows(
                new CatalogWindowEntry("Mon-Thu  09:00-16:00", null),
                new CatalogWindowEntry(null, "Fri 16:00 - Mon 08:00", "weekend")
            ),
            AuditActor.CommandLine,
            dryRun: false,
            Ct
        );
        var auditBefore = (await AuditAsync()).Count;

        var looser = await _platform.PutAsJsonAsync(
            "/api/v1/catalog",
            ShopWithWindows(new CatalogWindowEntry("daily 00:00-23:59", null)),
            Ct
        );
        var same = await _platform.PutAsJsonAsync("/api/v1/catalog", (await catalog.ExportAsync(Ct)), Ct);

        Assert.True(set.Applied);
        Assert.Empty(again.Updated); // the same rules, spelled with another space, change nothing
        Assert.Equal(HttpStatusCode.Forbidden, looser.StatusCode);
        Assert.Equal(["teams[0].services[0].environments[1].windows"], (await ErrorsAsync(looser)).Keys);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.Equal(
            ["Allow Mon-Thu 09:00-16:00", "Deny Fri 16:00 - Mon 08:00"],
            await db.PromotionWindows.OrderBy(w => w.Id).Select(w => w.Kind + " " + w.Rule).ToListAsync(Ct)
        );
        var audit = await AuditAsync();
        Assert.Contains(audit, a => a.Action == "catalog.changed" && a.After!.Contains("windows allow mon-thu"));
        Assert.DoesNotContain(audit.Skip(auditBefore), a => a.Action == "catalog.changed");
    }

    [Fact]
    public async Task A_window_that_is_not_one_is_named_by_its_path_and_nothing_is_written()
    {
        var report = await _app
            .Services.GetRequiredService<CatalogService>()
            .ApplyAsync(
                ShopWithWindows(new CatalogWindowEntry("Mon-Thu 9-16", null), new CatalogWindowEntry("x", "y")),
                AuditActor.CommandLine,
                dryRun: false,
                Ct
            );

        Assert.False(report.Applied);
        Assert.Contains("not a window", report.Errors["teams[0].services[0].environments[1].windows[0].allow"][0]);
        Assert.Contains("one of the two", report.Errors["teams[0].services[0].environments[1].windows[1]"][0]);
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.Equal(0, await db.PromotionWindows.CountAsync(Ct));
    }

    [Fact]
    public async Task A_dry_run_with_a_policy_change_is_refused_the_same_way()
    {
        var response = await _platform.PutAsJsonAsync("/api/v1/catalog?dryRun=true", Shop(soak: 5), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["teams[0].services[0].environments[1].soakMinutes"], (await ErrorsAsync(response)).Keys);
    }

    [Fact]
    public async Task A_key_renames_adds_services_and_appends_stages_while_omitted_policy_stays_as_people_set_it()
    {
        var document = new CatalogDocument([
            new CatalogTeamEntry(
                "shop",
                "Shop & Checkout",
                "Europe/Berlin",
                null,
                [
                    new CatalogServiceEntry(
                        "shop-api",
                        "Shop API v2",
                        "acme/shop-api",
                        "PSHOP01",
                        [
                            new CatalogEnvironmentEntry("staging", null, null, null),
                            new CatalogEnvironmentEntry("production", true, null, null), // policy left out: it stays
                            new CatalogEnvironmentEntry("verify", null, null, null), // a new stage after the last one
                        ]
                    ),
                    new CatalogServiceEntry(
                        "basket",
                        null,
                        null,
                        null,
                        [
                            new CatalogEnvironmentEntry("staging", null, null, null),
                            new CatalogEnvironmentEntry("production", true, 2, 0), // the defaults, said out loud
                        ]
                    ),
                ]
            ),
        ]);

        var response = await _platform.PutAsJsonAsync("/api/v1/catalog", document, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var production = await ProductionAsync();
        Assert.Equal((2, 30), (production.RequiredApprovals, production.SoakMinutes));
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        var stages = await db
            .Environments.Where(e => e.Service.Slug == "shop-api")
            .OrderBy(e => e.Order)
            .Select(e => e.Name)
            .ToListAsync(Ct);
        Assert.Equal(["staging", "production", "verify"], stages);
        Assert.Equal("Shop & Checkout", (await db.Teams.SingleAsync(t => t.Slug == "shop", Ct)).Name);
        var basket = await db.Environments.SingleAsync(e => e.Service.Slug == "basket" && e.IsProduction, Ct);
        Assert.Equal((2, 0), (basket.RequiredApprovals, basket.SoakMinutes));
    }

    [Fact]
    public async Task A_key_may_not_insert_a_stage_before_production_move_production_or_change_the_time_zone()
    {
        var document = Shop(
            timeZone: "America/New_York",
            approvals: null,
            soak: null,
            environments:
            [
                new CatalogEnvironmentEntry("staging", true, null, null),
                new CatalogEnvironmentEntry("canary", null, null, null),
                new CatalogEnvironmentEntry("production", false, null, null),
            ]
        );

        var response = await _platform.PutAsJsonAsync("/api/v1/catalog", document, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        const string stages = "teams[0].services[0].environments";
        Assert.Equal(
            [$"{stages}[0].isProduction", $"{stages}[1].name", $"{stages}[2].isProduction", "teams[0].timeZone"],
            (await ErrorsAsync(response)).Keys.Order()
        );
    }

    [Fact]
    public async Task A_new_stage_sent_by_a_key_takes_the_default_policy_and_no_other()
    {
        var document = Shop(
            approvals: null,
            soak: null,
            environments:
            [
                new CatalogEnvironmentEntry("staging", null, null, null),
                new CatalogEnvironmentEntry("production", true, null, null),
                new CatalogEnvironmentEntry("verify", null, 3, 60),
            ]
        );

        var response = await _platform.PutAsJsonAsync("/api/v1/catalog", document, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            [
                "teams[0].services[0].environments[2].requiredApprovals",
                "teams[0].services[0].environments[2].soakMinutes",
            ],
            (await ErrorsAsync(response)).Keys.Order()
        );
    }

    [Fact]
    public async Task A_key_may_not_add_a_second_production_stage_to_a_service()
    {
        var document = Shop(
            approvals: null,
            soak: null,
            environments:
            [
                new CatalogEnvironmentEntry("staging", null, null, null),
                new CatalogEnvironmentEntry("production", null, null, null), // left out: it stays production
                new CatalogEnvironmentEntry("production-eu", true, null, null),
            ]
        );

        var response = await _platform.PutAsJsonAsync("/api/v1/catalog", document, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["teams[0].services[0].environments[2].isProduction"], (await ErrorsAsync(response)).Keys);
    }

    private Task<HttpResponseMessage> PutRawAsync(string json) =>
        _platform.PutAsync(
            "/api/v1/catalog",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
            Ct
        );

    [Fact]
    public async Task A_key_document_kept_in_git_without_policy_or_integration_ids_keeps_what_is_stored()
    {
        var response = await PutRawAsync(
            """
            { "teams": [ { "slug": "shop", "name": "Shop", "services": [ { "slug": "shop-api", "name": "Shop API",
              "environments": [ { "name": "staging" }, { "name": "production" } ] } ] } ] }
            """
        );

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var production = await ProductionAsync();
        Assert.Equal((2, 30), (production.RequiredApprovals, production.SoakMinutes));
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        var service = await db.Services.Include(s => s.Team).SingleAsync(s => s.Slug == "shop-api", Ct);
        Assert.Equal(("Europe/Berlin", "acme/shop-api"), (service.Team.TimeZoneId, service.Repository));
    }

    [Fact]
    public async Task A_key_creating_a_team_names_its_time_zone_and_its_production_stage()
    {
        var response = await PutRawAsync(
            """
            { "teams": [ { "slug": "new", "name": "New", "services": [ { "slug": "new-api",
              "environments": [ { "name": "staging" }, { "name": "production" } ] } ] } ] }
            """
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            ["teams[0].services[0].environments", "teams[0].timeZone"],
            (await ErrorsAsync(response)).Keys.Order()
        );
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.False(await db.Teams.AnyAsync(t => t.Slug == "new", Ct));
    }

    [Fact]
    public async Task Two_services_may_not_name_one_repository_or_PagerDuty_service_whoever_applies_it()
    {
        var twice = new CatalogDocument([
            .. Shop().Teams!,
            new CatalogTeamEntry(
                "tools",
                "Tools",
                "Etc/UTC",
                null,
                [
                    new CatalogServiceEntry(
                        "tools-api",
                        "Tools API",
                        "ACME/shop-api",
                        null,
                        [new CatalogEnvironmentEntry("production", true, null, null)]
                    ),
                ]
            ),
        ]);

        var byKey = await _platform.PutAsJsonAsync("/api/v1/catalog", twice, Ct);
        var byPeople = await _app
            .Services.GetRequiredService<CatalogService>()
            .ApplyAsync(twice, AuditActor.CommandLine, dryRun: false, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, byKey.StatusCode);
        Assert.Contains("shop/shop-api and tools/tools-api", (await ErrorsAsync(byKey))["repository"][0]);
        Assert.False(byPeople.Applied);
        Assert.Equal(["repository"], byPeople.Errors.Keys);
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.False(await db.Teams.AnyAsync(t => t.Slug == "tools", Ct));
    }

    [Fact]
    public async Task People_change_policy_and_every_change_is_audited_with_before_and_after()
    {
        var admin = AuditActor.User("admin-1", "ada@example.test");
        var report = await _app
            .Services.GetRequiredService<CatalogService>()
            .ApplyAsync(Shop(approvals: 1, soak: 0), admin, dryRun: false, Ct);

        Assert.True(report.Applied);
        Assert.Equal((1, 0), ((await ProductionAsync()).RequiredApprovals, (await ProductionAsync()).SoakMinutes));
        var change = Assert.Single(await AuditAsync(), a => a.Action == "catalog.changed");
        Assert.Equal("environment/shop/shop-api/production", change.Subject);
        Assert.Equal("requiredApprovals 2; soakMinutes 30", change.Before);
        Assert.Equal("requiredApprovals 1; soakMinutes 0", change.After);
        Assert.Equal(("ada@example.test", "admin-1"), (change.Actor, change.ActorId));
    }
}
