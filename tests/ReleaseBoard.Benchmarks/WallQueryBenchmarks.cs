using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// What every open wall pays on each write: one full re-read of its team. Target: well under 50 ms and a few
/// hundred KB allocated on the demo dataset (a year of history), so a catch reaches every wall within a second.
/// </summary>
[MemoryDiagnoser]
public class WallQueryBenchmarks
{
    private string _folder = "";
    private WallQuery _query = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "releaseboard-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var options = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        options.UseReleaseBoardDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_folder, "bench.db")}");
        var factory = new PooledDbContextFactory<ReleaseBoardDbContext>(options.Options);

        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
            var generator = new DemoDataGenerator();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Teams.AddRange(generator.Generate(DateTime.UtcNow));
            db.Deployments.AddRange(generator.DemoDeployments);
            db.Incidents.AddRange(generator.DemoIncidents);
            db.Catches.AddRange(generator.DemoCatches);
            db.SaveChanges();
        }
        _query = new WallQuery(factory, TimeProvider.System);
    }

    [Benchmark]
    public Task<WallSnapshot?> LoadPaymentsWall() => _query.LoadAsync("payments");

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
