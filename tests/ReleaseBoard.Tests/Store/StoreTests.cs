using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Store;

public class StoreTests
{
    private static ReleaseBoardDbContext ContextFor(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        builder.UseReleaseBoardDatabase(provider, connectionString);
        return new ReleaseBoardDbContext(builder.Options);
    }

    [Fact]
    public void The_SQLite_model_has_no_change_without_a_migration()
    {
        using var db = ContextFor(DatabaseProvider.Sqlite, "Data Source=:memory:");

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(
            db.Database.HasPendingModelChanges(),
            "The model changed: run `dotnet ef migrations add` for ReleaseBoard.Data.Sqlite."
        );
    }

    [Fact]
    public void The_SQL_Server_model_has_no_change_without_a_migration()
    {
        // Nothing connects: the model and the migrations assembly are all this needs.
        using var db = ContextFor(
            DatabaseProvider.SqlServer,
            "Server=unused;Database=ReleaseBoard;Integrated Security=false"
        );

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(
            db.Database.HasPendingModelChanges(),
            "The model changed: run `dotnet ef migrations add` for ReleaseBoard.Data.SqlServer."
        );
    }

    [Fact]
    public void The_SQL_Server_idempotent_migration_script_generates()
    {
        using var db = ContextFor(
            DatabaseProvider.SqlServer,
            "Server=unused;Database=ReleaseBoard;Integrated Security=false"
        );

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        Assert.Contains("CREATE TABLE [Teams]", script);
        Assert.Contains("CREATE TABLE [Catches]", script);
        Assert.Contains("IF NOT EXISTS", script);
        Assert.Contains("[ExternalId] IS NOT NULL", script); // unique only where an external id is given
    }

    [Fact]
    public void The_SQL_Server_script_creates_every_table_index_concurrency_and_change_column()
    {
        using var db = ContextFor(
            DatabaseProvider.SqlServer,
            "Server=unused;Database=ReleaseBoard;Integrated Security=false"
        );
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var model = db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;

        var tables = model.GetEntityTypes().Where(t => !t.IsOwned()).Select(t => t.GetTableName()!).Distinct().ToList();
        var indexes = model.GetEntityTypes().SelectMany(t => t.GetIndexes()).Select(i => i.GetDatabaseName()!).ToList();
        Assert.True(tables.Count >= 20, $"only {tables.Count} tables in the model");
        Assert.All(tables, table => Assert.Contains($"CREATE TABLE [{table}]", script));
        Assert.All(indexes, index =>
            Assert.Matches($@"CREATE (UNIQUE )?INDEX \[{System.Text.RegularExpressions.Regex.Escape(index)}\]", script)
        );
        Assert.Contains("IX_Deployments_EnvironmentId_FinishedAt_Kind_Outcome", indexes); // what the trends read by
        // optimistic concurrency on environments
        Assert.Matches(@"\[ConcurrencyStamp\] uniqueidentifier NOT NULL", script);
        Assert.Contains("ChangeStamps", script);
        Assert.Matches(@"INSERT INTO \[ChangeStamps\] \(\[Id\], \[Value\]\)", script); // the one row the instances poll
    }

    [Fact]
    public async Task Migrations_create_the_indexes_the_time_range_queries_use()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await using var db = database.CreateDbContext();

        var indexes = await db
            .Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'index'")
            .ToListAsync(TestContext.Current.CancellationToken);

        Assert.Contains("IX_Deployments_EnvironmentId_FinishedAt_Kind_Outcome", indexes);
        Assert.Contains("IX_Deployments_ServiceId_Version_FinishedAt_EnvironmentId_Kind_Outcome", indexes);
        Assert.Contains("IX_Incidents_ServiceId_ImpactStartedAt", indexes);
        Assert.Contains("IX_Catches_ServiceId_CaughtAt", indexes);
        Assert.Contains("IX_Catches_ServiceId_Source_ExternalId", indexes);
    }

    [Fact]
    public async Task SQLite_runs_in_WAL_mode_with_a_busy_timeout()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        await using var db = database.CreateDbContext();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var connection = db.Database.GetDbConnection();
        object? Pragma(string name)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name}";
            return command.ExecuteScalar();
        }

        Assert.Equal("wal", Pragma("journal_mode"));
        Assert.Equal(5000L, Pragma("busy_timeout"));
        Assert.Equal(1L, Pragma("synchronous")); // NORMAL
        Assert.Equal(268435456L, Pragma("mmap_size"));
    }

    [Fact]
    public async Task Timestamps_come_back_as_UTC_with_the_instant_unchanged()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var utc = new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc);
        await database.AddCatchAsync(team, utc);
        await database.AddIncidentAsync(team, utc, resolvedUtc: utc.AddHours(1));

        await using var db = database.CreateDbContext();
        var caught = await db.Catches.Select(c => c.CaughtAt).SingleAsync(TestContext.Current.CancellationToken);
        var resolved = await db.Incidents.Select(i => i.ResolvedAt).SingleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(DateTimeKind.Utc, caught.Kind);
        Assert.Equal(utc, caught);
        Assert.Equal(DateTimeKind.Utc, resolved!.Value.Kind);
        Assert.Equal(utc.AddHours(1), resolved);
    }

    [Fact]
    public async Task An_external_id_is_unique_per_source_so_ingestion_can_be_idempotent()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        await using var db = database.CreateDbContext();
        Catch NewCatch() =>
            new()
            {
                ServiceId = team.ServiceId,
                EnvironmentId = team.StagingId,
                Severity = 2,
                Title = "t",
                ReportedBy = "ci",
                CaughtAt = DateTime.UtcNow,
                RecordedAt = DateTime.UtcNow,
                Source = "jira",
                ExternalId = "REL-1",
            };
        db.Catches.Add(NewCatch());
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        db.Catches.Add(NewCatch());
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
    }
}
