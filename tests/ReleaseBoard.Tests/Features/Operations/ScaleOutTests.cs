using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// Two app instances on one database (docs/architecture.md): a write committed by one is announced on the other through
/// the change stamp (and SQLite's data_version), and an instance does not announce its own write a second time.
/// </summary>
public class ScaleOutTests : IAsyncLifetime
{
    private ReleaseBoardAppFactory _first = null!,
        _second = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _first = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Changes:PollInterval"] = "00:00:00.2" }
        );
        _ = _first.Services; // started, migrated
        _second = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:ReleaseBoard"] = _first.ConnectionString,
                ["Changes:PollInterval"] = "00:00:00.2",
            }
        );
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

    private async Task WriteTeamAsync(ReleaseBoardAppFactory on, string slug)
    {
        await using var db = await DbAsync(on);
        db.Teams.Add(
            new Team
            {
                Slug = slug,
                Name = slug,
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            }
        );
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>
    /// Until the second instance has heard one write of the first, its poller may not have read the stamp yet.
    /// </summary>
    private async Task BothPollingAsync()
    {
        var heard = 0;
        void Count() => Interlocked.Increment(ref heard);
        var notifier = _second.Services.GetRequiredService<DataChangeNotifier>();
        notifier.Changed += Count;
        try
        {
            for (var attempt = 0; Volatile.Read(ref heard) == 0 && attempt < 50; attempt++)
            {
                await WriteTeamAsync(_first, $"warm-up-{attempt}");
                await Task.Delay(200, Ct);
            }
        }
        finally
        {
            notifier.Changed -= Count;
        }
        Assert.True(heard > 0, "the second instance never heard the first");
    }

    [Fact]
    public async Task A_write_on_one_instance_is_announced_on_the_other_within_two_seconds()
    {
        await BothPollingAsync();
        var heardOnSecond = 0;
        _second.Services.GetRequiredService<DataChangeNotifier>().Changed += () =>
            Interlocked.Increment(ref heardOnSecond);
        await Task.Delay(500, Ct); // the warm-up's own announcements are over

        var before = Volatile.Read(ref heardOnSecond);
        await WriteTeamAsync(_first, "scaled");

        await Eventually.AssertAsync(
            () => Assert.True(Volatile.Read(ref heardOnSecond) > before),
            timeoutMilliseconds: 2000
        );
    }

    [Fact]
    public async Task A_write_that_rolls_back_is_announced_nowhere()
    {
        await BothPollingAsync();
        await Task.Delay(1000, Ct); // the warm-up's announcements are over
        var heardOnSecond = 0;
        _second.Services.GetRequiredService<DataChangeNotifier>().Changed += () =>
            Interlocked.Increment(ref heardOnSecond);

        await using (var db = await DbAsync(_first))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            db.Teams.Add(
                new Team
                {
                    Slug = "never",
                    Name = "Never",
                    TimeZoneId = "Etc/UTC",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(Ct);
            await transaction.RollbackAsync(Ct);
        }

        await Task.Delay(1000, Ct);
        Assert.Equal(0, Volatile.Read(ref heardOnSecond));
        await using var check = await DbAsync(_second);
        Assert.False(await check.Teams.AnyAsync(t => t.Slug == "never", Ct));
    }

    [Fact]
    public async Task An_instance_announces_its_own_write_once_at_the_commit_and_its_poller_never_again()
    {
        await BothPollingAsync();
        await Task.Delay(1000, Ct); // the warm-up's announcements are over
        var heardOnFirst = 0;
        _first.Services.GetRequiredService<DataChangeNotifier>().Changed += () =>
            Interlocked.Increment(ref heardOnFirst);

        for (var i = 0; i < 5; i++)
        {
            await WriteTeamAsync(_first, $"own-{i}");
            // Five poll intervals after each write: an echo from the poller would have come by now.
            await Task.Delay(1000, Ct);
        }

        Assert.Equal(5, Volatile.Read(ref heardOnFirst));
    }

    [Fact]
    public async Task Another_instances_write_just_after_an_own_one_is_still_announced()
    {
        await BothPollingAsync();
        await Task.Delay(1000, Ct);
        var heardOnFirst = 0;
        _first.Services.GetRequiredService<DataChangeNotifier>().Changed += () =>
            Interlocked.Increment(ref heardOnFirst);

        for (var i = 0; i < 5; i++)
        {
            var before = Volatile.Read(ref heardOnFirst);
            await WriteTeamAsync(_first, $"mine-{i}");
            await WriteTeamAsync(_second, $"theirs-{i}");
            // Own write: one announcement at its commit; theirs: one more, from the poller.
            await Eventually.AssertAsync(
                () => Assert.Equal(before + 2, Volatile.Read(ref heardOnFirst)),
                timeoutMilliseconds: 3000
            );
        }
    }
}
