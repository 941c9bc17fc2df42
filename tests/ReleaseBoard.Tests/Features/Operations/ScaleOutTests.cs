using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// Two app instances on one database (DESIGN.md §6): a write committed by one is announced on the other through the
/// change stamp, and an instance does not announce its own write a second time.
/// </summary>
public class ScaleOutTests : IAsyncLifetime
{
    private ReleaseBoardAppFactory _first = null!, _second = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _first = new ReleaseBoardAppFactory(settings: new Dictionary<string, string?> { ["Changes:PollInterval"] = "00:00:00.2" });
        _ = _first.Services; // started, migrated
        _second = new ReleaseBoardAppFactory(settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:ReleaseBoard"] = _first.ConnectionString, ["Changes:PollInterval"] = "00:00:00.2",
        });
        _ = _second.Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    private static Task<ReleaseBoardDbContext> DbAsync(ReleaseBoardAppFactory app) =>
        app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Ct);

    [Fact]
    public async Task A_write_on_one_instance_is_announced_on_the_other_and_only_once_on_its_own()
    {
        var heardOnFirst = 0;
        var heardOnSecond = 0;
        _first.Services.GetRequiredService<DataChangeNotifier>().Changed += () => Interlocked.Increment(ref heardOnFirst);
        _second.Services.GetRequiredService<DataChangeNotifier>().Changed += () => Interlocked.Increment(ref heardOnSecond);
        await Task.Delay(600, Ct); // both pollers have read the stamp as it stands

        await using (var db = await DbAsync(_first))
        {
            db.Teams.Add(new Team { Slug = "scaled", Name = "Scaled", TimeZoneId = "Etc/UTC", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        await Eventually.AssertAsync(() => Assert.Equal(1, Volatile.Read(ref heardOnSecond)), timeoutMilliseconds: 2000);
        await Task.Delay(600, Ct); // several more polls on both
        Assert.Equal(1, Volatile.Read(ref heardOnFirst)); // its own write: told once, by the write itself
        Assert.Equal(1, Volatile.Read(ref heardOnSecond));
    }

    [Fact]
    public async Task A_write_that_rolls_back_is_announced_nowhere()
    {
        var heardOnSecond = 0;
        _second.Services.GetRequiredService<DataChangeNotifier>().Changed += () => Interlocked.Increment(ref heardOnSecond);
        await Task.Delay(600, Ct);

        await using (var db = await DbAsync(_first))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            db.Teams.Add(new Team { Slug = "never", Name = "Never", TimeZoneId = "Etc/UTC", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(Ct);
            await transaction.RollbackAsync(Ct);
        }

        await Task.Delay(1000, Ct);
        Assert.Equal(0, Volatile.Read(ref heardOnSecond));
        await using var check = await DbAsync(_second);
        Assert.False(await check.Teams.AnyAsync(t => t.Slug == "never", Ct));
    }
}
