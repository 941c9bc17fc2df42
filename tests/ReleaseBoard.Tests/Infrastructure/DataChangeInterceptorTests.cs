using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Infrastructure;

public class DataChangeInterceptorTests
{
    [Fact]
    public async Task A_save_of_several_rows_announces_once()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;

        await database.AddTeamAsync(); // one SaveChanges: a team, a service and three environments

        Assert.Equal(1, announcements);
    }

    [Fact]
    public async Task A_write_in_an_explicit_transaction_announces_at_commit_and_not_before()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;
        await using var db = database.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);

        var environment = await db.Environments.SingleAsync(
            e => e.Id == team.ProductionId,
            TestContext.Current.CancellationToken
        );
        environment.PromotionModeChangedBy = "test";
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, announcements);

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, announcements);
    }

    [Fact]
    public async Task A_transaction_dropped_without_a_rollback_is_never_announced_by_the_next_one_on_that_context()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;
        await using var db = database.CreateDbContext(); // a pooled context lives on like this one
        await using (var dropped = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            (
                await db.Environments.SingleAsync(e => e.Id == team.ProductionId, TestContext.Current.CancellationToken)
            ).PromotionModeChangedBy = "never";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        } // disposed: rolled back by the database, no rollback event
        db.ChangeTracker.Clear();

        await using (var next = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
            await next.CommitAsync(TestContext.Current.CancellationToken); // writes nothing

        Assert.Equal(0, announcements);
    }

    [Fact]
    public async Task On_SQL_Server_a_write_carries_a_new_change_stamp_in_the_same_save_and_on_SQLite_none()
    {
        var interceptor = new ReleaseBoard.Web.Infrastructure.DataChangeInterceptor(
            new ReleaseBoard.Web.Infrastructure.DataChangeNotifier(
                Microsoft
                    .Extensions
                    .Logging
                    .Abstractions
                    .NullLogger<ReleaseBoard.Web.Infrastructure.DataChangeNotifier>
                    .Instance
            )
        );
        // Nothing listens on port 1: the save fails at connecting, after the interceptor has prepared it.
        var options = new DbContextOptionsBuilder<ReleaseBoard.Data.ReleaseBoardDbContext>()
            .UseSqlServer(
                "Server=127.0.0.1,1;Database=rb;User Id=rb;Password=unused;TrustServerCertificate=true;Connect "
                    + "Timeout=1",
                sql => sql.MigrationsAssembly(ReleaseBoard.Data.DatabaseProviderSetup.SqlServerMigrationsAssembly)
            )
            .AddInterceptors(interceptor)
            .Options;
        await using var sqlServer = new ReleaseBoard.Data.ReleaseBoardDbContext(options);
        sqlServer.Teams.Add(
            new ReleaseBoard.Data.Entities.Team
            {
                Slug = "s",
                Name = "s",
                TimeZoneId = "Etc/UTC",
            }
        );

        await Assert.ThrowsAnyAsync<Exception>(() => sqlServer.SaveChangesAsync(TestContext.Current.CancellationToken));

        var stamp = Assert.Single(sqlServer.ChangeTracker.Entries<ReleaseBoard.Data.Entities.ChangeStamp>());
        Assert.Equal(EntityState.Modified, stamp.State); // an UPDATE of the one row, in the write's own batch
        Assert.NotEqual(Guid.Empty, stamp.Entity.Value);

        await using var database = await SqliteTestDatabase.CreateAsync();
        await using var sqlite = database.CreateDbContext();
        sqlite.Teams.Add(
            new ReleaseBoard.Data.Entities.Team
            {
                Slug = "q",
                Name = "q",
                TimeZoneId = "Etc/UTC",
            }
        );
        await sqlite.SaveChangesAsync(TestContext.Current.CancellationToken);
        // SQLite's data_version does this
        Assert.Empty(sqlite.ChangeTracker.Entries<ReleaseBoard.Data.Entities.ChangeStamp>());
    }

    [Fact]
    public async Task Reading_or_rolling_back_announces_nothing()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;
        await using var db = database.CreateDbContext();

        await using (var readOnly = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await db.Teams.CountAsync(TestContext.Current.CancellationToken);
            await readOnly.CommitAsync(TestContext.Current.CancellationToken);
        }
        await using (var abandoned = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            (
                await db.Environments.SingleAsync(e => e.Id == team.ProductionId, TestContext.Current.CancellationToken)
            ).PromotionModeChangedBy = "test";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            await abandoned.RollbackAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, announcements);
    }
}
