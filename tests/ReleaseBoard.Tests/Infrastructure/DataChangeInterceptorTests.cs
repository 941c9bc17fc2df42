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

        var environment = await db.Environments.SingleAsync(e => e.Id == team.ProductionId, TestContext.Current.CancellationToken);
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
            (await db.Environments.SingleAsync(e => e.Id == team.ProductionId, TestContext.Current.CancellationToken)).PromotionModeChangedBy = "never";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        } // disposed: rolled back by the database, no rollback event
        db.ChangeTracker.Clear();

        await using (var next = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken))
            await next.CommitAsync(TestContext.Current.CancellationToken); // writes nothing

        Assert.Equal(0, announcements);
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
            (await db.Environments.SingleAsync(e => e.Id == team.ProductionId, TestContext.Current.CancellationToken)).PromotionModeChangedBy = "test";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            await abandoned.RollbackAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, announcements);
    }
}
