using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Support;

/// <summary>
/// A real SQLite file with the real migrations applied, wired like the app (change notifications included).
/// </summary>
public sealed class SqliteTestDatabase : IDbContextFactory<ReleaseBoardDbContext>, IAsyncDisposable
{
    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "releaseboard-tests",
        Guid.NewGuid().ToString("N")
    );
    private readonly DbContextOptions<ReleaseBoardDbContext> _options;

    public DataChangeNotifier Notifier { get; } = new(NullLogger<DataChangeNotifier>.Instance);
    public string ConnectionString { get; }

    /// <summary>The address notifications link to.</summary>
    public const string PublicBase = "https://releaseboard.example.test/";
    public string FilePath => Path.Combine(_folder, "test.db");

    private SqliteTestDatabase()
    {
        Directory.CreateDirectory(_folder);
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString();
        var builder = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        builder
            .UseReleaseBoardDatabase(DatabaseProvider.Sqlite, ConnectionString)
            .AddInterceptors(
                new DataChangeInterceptor(Notifier),
                new AuditNotifications(Options.Create(new TransportOptions { PublicBaseUrl = PublicBase }))
            );
        _options = builder.Options;
    }

    public static async Task<SqliteTestDatabase> CreateAsync()
    {
        var database = new SqliteTestDatabase();
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        return database;
    }

    public ReleaseBoardDbContext CreateDbContext() => new(_options);

    /// <summary>A team with one service and dev → staging → production, the shape most tests need.</summary>
    public async Task<TestTeam> AddTeamAsync(
        string slug = "payments",
        string timeZone = "Europe/Berlin",
        bool isDemo = false
    )
    {
        await using var db = CreateDbContext();
        var team = new Team
        {
            Slug = slug,
            Name = char.ToUpperInvariant(slug[0]) + slug[1..],
            TimeZoneId = timeZone,
            IsDemo = isDemo,
            CreatedAt = DateTime.UtcNow,
        };
        var service = new Service
        {
            Slug = $"{slug}-api",
            Name = $"{slug}-api",
            Team = team,
        };
        var environments = new[] { "dev", "staging", "production" }
            .Select(
                (name, order) =>
                    new ServiceEnvironment
                    {
                        Name = name,
                        Order = order,
                        IsProduction = name == "production",
                        Service = service,
                    }
            )
            .ToArray();
        db.AddRange(environments);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return new TestTeam(team.Id, team.Slug, service.Id, environments[0].Id, environments[1].Id, environments[2].Id);
    }

    public async Task AddCatchAsync(
        TestTeam team,
        DateTime caughtAtUtc,
        int severity = 2,
        string title = "Double charge on retry"
    )
    {
        await using var db = CreateDbContext();
        db.Catches.Add(
            new Catch
            {
                ServiceId = team.ServiceId,
                EnvironmentId = team.StagingId,
                Severity = severity,
                Title = title,
                ReportedBy = "test",
                CaughtAt = caughtAtUtc,
                RecordedAt = caughtAtUtc,
                Source = "test",
            }
        );
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async Task AddIncidentAsync(
        TestTeam team,
        DateTime impactStartUtc,
        DateTime? resolvedUtc,
        int severity = 2,
        string title = "Checkout down"
    )
    {
        await using var db = CreateDbContext();
        db.Incidents.Add(
            new Incident
            {
                ServiceId = team.ServiceId,
                Severity = severity,
                Title = title,
                ImpactStartedAt = impactStartUtc,
                DetectedAt = impactStartUtc,
                ResolvedAt = resolvedUtc,
                Source = "test",
            }
        );
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await Task.Yield();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* a straggling handle; the temp folder is cleaned by the OS */
        }
    }
}

public sealed record TestTeam(int TeamId, string Slug, int ServiceId, int DevId, int StagingId, int ProductionId);
