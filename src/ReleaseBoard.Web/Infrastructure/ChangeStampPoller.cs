using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

public sealed class ChangeOptions
{
    public const string SectionName = "Changes";

    /// <summary>
    /// How often each instance looks for other instances' writes (and the command line's). One or two tiny reads per
    /// interval; a second keeps walls within about a second of any instance.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Scale-out (docs/architecture.md): reads the change stamp (SQL Server) or data_version (SQLite) every poll
/// interval and notifies pages of other instances' writes; a failed read tells them the database went away.
/// </summary>
public sealed class ChangeStampPoller(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    DataChangeNotifier notifier,
    TimeProvider clock,
    IOptions<ChangeOptions> options,
    DatabaseConnection connection,
    IEnumerable<IStoredChangeWatch> watches,
    ILogger<ChangeStampPoller> logger
) : BackgroundService
{
    private SqliteConnection? _sqliteWatch;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? seen = null;
        Guid? seenStamp = null;
        var watchesRead = false;
        var failing = false;
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        try
        {
            do
            {
                try
                {
                    bool changed;
                    await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
                    {
                        // also: the database answers the app's own path
                        var stamp = await ReadStampAsync(db, stoppingToken);
                        if (connection.Provider == DatabaseProvider.Sqlite)
                        {
                            var version = await SqliteDataVersionAsync(stoppingToken);
                            changed = seen is not null && version != seen;
                            seen = version;
                        }
                        else
                        {
                            changed = seenStamp is not null && stamp != seenStamp;
                            seenStamp = stamp;
                        }
                        // A watched value changes only by a write, so it is read only when something changed (at
                        // first, and back from an outage, too).
                        if (changed || !watchesRead || failing)
                        {
                            foreach (var watch in watches)
                                await watch.ReadAsync(db, stoppingToken);
                            watchesRead = true;
                        }
                    }
                    foreach (var watch in watches)
                        watch.AnnounceIfChanged();
                    // Any change, our own writes included (they cannot be told apart from another's), and the pages
                    // fold the extra notification into their throttled re-read. Back after an outage, pages re-read
                    // whatever the counter says, and drop their "stale" marks.
                    if (failing || changed)
                        notifier.NotifyChanged();
                    if (failing)
                        logger.LogInformation("The database answers again.");
                    failing = false;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    await ForgetSqliteWatchAsync();
                    seen = null;
                    // The database away: say so once, and have the open pages try a read, which fails and marks their
                    // figures stale at once rather than at their next scheduled refresh.
                    // Keep polling; catch up when it answers.
                    if (!failing)
                    {
                        logger.LogWarning(
                            ex,
                            "The database does not answer; pages keep their last figures, marked stale, until it does."
                        );
                        failing = true;
                        notifier.NotifyChanged();
                    }
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            await ForgetSqliteWatchAsync();
        }
    }

    /// <summary>
    /// The SQL Server stamp, read without waiting for locks: a long write (an import) must not make every wall claim
    /// the database is away; a dirty read costs at most one extra re-read.
    /// </summary>
    private static Task<Guid> ReadStampAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken) =>
        (
            db.Database.IsSqlServer()
                ? db.ChangeStamps.FromSqlRaw("SELECT [Id], [Value] FROM [ChangeStamps] WITH (NOLOCK)")
                : db.ChangeStamps
        )
            .AsNoTracking()
            .Where(s => s.Id == ChangeStamp.RowId)
            .Select(s => s.Value)
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>SQLite's data_version, on one connection kept for it: the counter is per connection.</summary>
    private async Task<long> SqliteDataVersionAsync(CancellationToken cancellationToken)
    {
        if (_sqliteWatch is null)
        {
            // Not from the pool: a pooled handle would be shared with other work and could be closed under us.
            var watch = new SqliteConnection(
                new SqliteConnectionStringBuilder(connection.ConnectionString) { Pooling = false }.ToString()
            );
            await watch.OpenAsync(cancellationToken);
            _sqliteWatch = watch;
        }
        await using var command = _sqliteWatch.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task ForgetSqliteWatchAsync()
    {
        if (_sqliteWatch is null)
            return;
        await _sqliteWatch.DisposeAsync();
        _sqliteWatch = null;
    }
}
