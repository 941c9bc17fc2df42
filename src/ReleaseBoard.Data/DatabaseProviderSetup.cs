using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReleaseBoard.Data;

/// <summary>
/// Configures <see cref="ReleaseBoardDbContext"/> for the chosen provider, each with its own migrations assembly.
/// </summary>
public static class DatabaseProviderSetup
{
    public const string SqliteMigrationsAssembly = "ReleaseBoard.Data.Sqlite";
    public const string SqlServerMigrationsAssembly = "ReleaseBoard.Data.SqlServer";

    public static DbContextOptionsBuilder UseReleaseBoardDatabase(
        this DbContextOptionsBuilder builder,
        DatabaseProvider provider,
        string connectionString
    ) =>
        provider switch
        {
            DatabaseProvider.Sqlite => builder
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly))
                .AddInterceptors(SqliteConnectionPragmas.Instance),
            DatabaseProvider.SqlServer => builder
            // A few quick retries ride out a failover or a dropped connection; more would keep a pipeline's request
            // (and a wall's "stale" mark) waiting a minute before the 503 that tells it to come back later.
            .UseSqlServer(connectionString, sql =>
                sql.MigrationsAssembly(SqlServerMigrationsAssembly)
                    .EnableRetryOnFailure(
                        maxRetryCount: 3,
                        maxRetryDelay: TimeSpan.FromSeconds(4),
                        errorNumbersToAdd: null
                    )
            ),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
        };

    /// <summary>The SQLite connection string used when none is configured: a file in the data folder.</summary>
    public static string DefaultSqliteConnectionString(string dataFolder) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataFolder, "releaseboard.db"),
            Pooling = true,
        }.ToString();

    /// <summary>
    /// WAL: the wall reads while a pipeline writes; synchronous=NORMAL keeps acknowledged writes at several times
    /// FULL's rate; busy_timeout makes writers wait; mmap_size reads long histories through the page cache.
    /// </summary>
    private sealed class SqliteConnectionPragmas : DbConnectionInterceptor
    {
        public static readonly SqliteConnectionPragmas Instance = new();
        private const string Pragmas =
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; "
            + "PRAGMA mmap_size=268435456;";

        // Pooled connections keep their settings: each physical connection (its sqlite3 handle) is set up once,
        // not on every logical open, which would add four statements to every query.
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _configured = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
            Apply(connection);

        public override Task ConnectionOpenedAsync(
            DbConnection connection,
            ConnectionEndEventData eventData,
            CancellationToken cancellationToken = default
        )
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection)
        {
            var handle = (connection as SqliteConnection)?.Handle;
            if (handle is not null && _configured.TryGetValue(handle, out _))
                return;
            // EF opens a read-only connection to ask whether the file exists. Switching a database that is not in WAL
            // mode yet (a restored backup, a copied file) needs a write, which a read-only connection cannot do: the
            // first read-write connection does it instead.
            if (
                connection is SqliteConnection sqlite
                && new SqliteConnectionStringBuilder(sqlite.ConnectionString).Mode == SqliteOpenMode.ReadOnly
            )
                return;
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            if (handle is not null)
                _configured.AddOrUpdate(handle, handle);
        }
    }
}
