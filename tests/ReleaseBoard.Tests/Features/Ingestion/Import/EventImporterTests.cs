using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Ingestion.Import;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Ingestion.Import;

public class EventImporterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private EventImporter Importer(SqliteTestDatabase database) =>
        new(database, _clock, [new PauseOnIncident(TestPromotion.Service(database, _clock))]);

    private const string Deployments = """
        service,environment,version,startedAt,finishedAt,outcome,kind,rollsBack,source,externalId
        payments-api,production,1.0.0,2026-01-05T10:00:00Z,2026-01-05T10:04:00Z,succeeded,,,jenkins,101
        payments-api,production,1.1.0,2026-01-06T10:00:00Z,2026-01-06T10:05:00Z,rolledBack,,,jenkins,102
        payments-api,production,1.0.0,2026-01-06T10:20:00Z,2026-01-06T10:23:00Z,succeeded,rollback,102,jenkins,103
        payments-api,staging,1.2.0,2026-01-07T09:00:00Z,,,,,jenkins,104
        """;

    [Fact]
    public async Task A_clean_file_imports_every_row_in_one_go_and_a_rollback_finds_an_earlier_line()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await database.AddTeamAsync();

        var report = await Importer(database)
            .ImportAsync(ImportKind.Deployments, Deployments, AuditActor.System, dryRun: false, Ct);

        Assert.True(report.Applied, string.Join("; ", report.Problems));
        Assert.Equal((4, 4, 0), (report.Rows, report.Imported, report.AlreadyStored));
        await using var db = database.CreateDbContext();
        var rollback = await db
            .Deployments.Include(d => d.RollsBackDeployment)
            .SingleAsync(d => d.ExternalId == "103", Ct);
        Assert.Equal("102", rollback.RollsBackDeployment!.ExternalId);
        Assert.Equal(
            DeploymentOutcome.InProgress,
            (await db.Deployments.SingleAsync(d => d.ExternalId == "104", Ct)).Outcome
        );
        Assert.Equal("import.deployments", (await db.AuditEntries.SingleAsync(Ct)).Action);
    }

    [Fact]
    public async Task Importing_the_same_file_twice_adds_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await database.AddTeamAsync();
        var importer = Importer(database);
        await importer.ImportAsync(ImportKind.Deployments, Deployments, AuditActor.System, false, Ct);

        var again = await importer.ImportAsync(ImportKind.Deployments, Deployments, AuditActor.System, false, Ct);

        Assert.Equal((0, 4), (again.Imported, again.AlreadyStored));
        await using var db = database.CreateDbContext();
        Assert.Equal(4, await db.Deployments.CountAsync(Ct));
    }

    [Fact]
    public async Task One_bad_row_stores_nothing_and_every_problem_is_named_by_line_and_column()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await database.AddTeamAsync();
        const string csv = """
            service,severity,title,startedAt,resolvedAt,source,externalId
            payments-api,2,Checkout down,2026-02-01T10:00:00Z,2026-02-01T11:00:00Z,pd,1
            payments-api,high,Bad severity,2026-02-02T10:00:00Z,,pd,2
            billing,2,Unknown service,2026-02-03T10:00:00Z,,pd,3
            payments-api,2,Resolved before started,2026-02-04T10:00:00Z,2026-02-03T10:00:00Z,pd,4
            payments-api,2,Not a date,yesterday,,pd,5
            payments-api,2,Duplicate,2026-02-05T10:00:00Z,,pd,1
            """;

        var report = await Importer(database).ImportAsync(ImportKind.Incidents, csv, AuditActor.System, false, Ct);

        Assert.False(report.Applied);
        Assert.Contains(report.Problems, p => p is { Line: 3, Field: "severity" });
        Assert.Contains(report.Problems, p => p is { Line: 4, Field: "service" });
        Assert.Contains(report.Problems, p => p is { Line: 5, Field: "resolvedAt" });
        Assert.Contains(report.Problems, p => p is { Line: 6, Field: "startedAt" });
        Assert.Contains(report.Problems, p => p is { Line: 7, Field: "externalId" });
        Assert.DoesNotContain(report.Problems, p => p.Line == 2);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Incidents.CountAsync(Ct));
    }

    [Fact]
    public async Task Unknown_columns_are_refused_before_any_row_is_read()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();

        var report = await Importer(database)
            .ImportAsync(ImportKind.Catches, "service,colour\nx,red\n", AuditActor.System, false, Ct);

        Assert.Equal("colour", Assert.Single(report.Problems).Field);
    }

    [Fact]
    public async Task Catches_are_imported_for_pre_production_only_and_incidents_name_their_cause()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await database.AddTeamAsync();
        var importer = Importer(database);
        await importer.ImportAsync(ImportKind.Deployments, Deployments, AuditActor.System, false, Ct);

        var catches = await importer.ImportAsync(
            ImportKind.Catches,
            """
            service,environment,severity,title,caughtAt,reportedBy
            payments-api,staging,2,"Double charge, on retry",2026-03-01T09:00:00Z,Ana
            payments-api,production,2,In production,2026-03-02T09:00:00Z,Ben
            """,
            AuditActor.System,
            false,
            Ct
        );
        var incidents = await importer.ImportAsync(
            ImportKind.Incidents,
            """
            service,severity,title,startedAt,causedBySource,causedByExternalId,source,externalId
            payments-api,1,Refunds failing,2026-01-06T10:06:00Z,jenkins,102,pd,9
            """,
            AuditActor.System,
            false,
            Ct
        );

        Assert.Equal("environment", Assert.Single(catches.Problems).Field);
        Assert.True(incidents.Applied, string.Join("; ", incidents.Problems));
        await using var db = database.CreateDbContext();
        Assert.Equal(
            "102",
            (await db.Incidents.Include(i => i.CausingDeployment).SingleAsync(Ct)).CausingDeployment!.ExternalId
        );
        Assert.Equal(0, await db.Catches.CountAsync(Ct));
    }

    [Fact]
    public async Task An_imported_open_failure_pauses_the_service_like_one_from_the_api_a_resolved_one_not()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await using (var db = database.CreateDbContext())
            await db
                .Environments.Where(e => e.Id == team.ProductionId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, PromotionMode.Continuous), Ct);
        const string history = """
            service,severity,title,startedAt,resolvedAt,source,externalId
            payments-api,1,Old outage,2026-02-01T10:00:00Z,2026-02-01T11:00:00Z,pd,1
            """;
        Assert.True(
            (await Importer(database).ImportAsync(ImportKind.Incidents, history, AuditActor.System, false, Ct)).Applied
        );
        await using (var db = database.CreateDbContext())
            Assert.Equal(
                PromotionMode.Continuous,
                (await db.Environments.SingleAsync(e => e.Id == team.ProductionId, Ct)).PromotionMode
            );

        const string open = """
            service,severity,title,startedAt,source,externalId
            payments-api,2,Checkout failing now,2026-11-27T08:30:00Z,pd,2
            """;
        Assert.True(
            (await Importer(database).ImportAsync(ImportKind.Incidents, open, AuditActor.System, false, Ct)).Applied
        );

        await using (var db = database.CreateDbContext())
        {
            var production = await db.Environments.SingleAsync(e => e.Id == team.ProductionId, Ct);
            Assert.Equal(
                (PromotionMode.Paused, "system"),
                (production.PromotionMode, production.PromotionModeChangedBy)
            );
            Assert.Contains("Checkout failing now", production.PromotionModeReason);
        }
    }
}
