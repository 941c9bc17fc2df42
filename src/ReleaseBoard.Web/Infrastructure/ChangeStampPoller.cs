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
/// Scale-out (docs/architecture.md): reads the change stamp (and, on SQLite, data_version) every poll interval and
/// notifies pages of other instances' writes, not of this one's; a failed read tells them the database went away.
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

    // The watch connection is read by the poll and, right after each own commit, on the committing thread.
    private readonly Lock _watchLock = new();
    private bool _ownCommitSincePoll;
    private long? _versionAfterOwnCommit;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier.OwnCommitted += OnOwnCommitted;
        try
        {
            await PollAsync(stoppingToken);
        }
        finally
        {
            notifier.OwnCommitted -= OnOwnCommitted;
        }
    }

    /// <summary>
    /// Where SQLite's data_version stands right after this instance committed. The pages' reads that this commit
    /// causes start after this moment, so they see every commit up to it; only a later one needs announcing.
    /// </summary>
    private void OnOwnCommitted()
    {
        if (connection.Provider != DatabaseProvider.Sqlite)
            return;
        lock (_watchLock)
        {
            _ownCommitSincePoll = true;
            try
            {
                _versionAfterOwnCommit = _sqliteWatch is null ? null : ReadDataVersion(_sqliteWatch);
            }
            catch (SqliteException)
            {
                _versionAfterOwnCommit = null; // unknown: the next poll announces, to be safe
            }
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
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
                    bool changed,
                        foreign;
                    await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
                    {
                        // also: the database answers the app's own path
                        var stamp = await ReadStampAsync(db, stoppingToken);
                        if (connection.Provider == DatabaseProvider.Sqlite)
                        {
                            var (version, onlyOwn) = SqliteDataVersion();
                            changed = seen is not null && version != seen;
                            seen = version;
                            foreign = changed && !onlyOwn;
                        }
                        else
                        {
                            // The stamp names the last writer: one of ours was announced at its commit, and the reads
                            // it caused saw every commit before it.
                            changed = seenStamp is not null && stamp != seenStamp;
                            foreign = changed && !notifier.IsOwnStamp(stamp);
                        }
                        seenStamp = stamp;
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
                    // Another's write, not our own: that was announced at its commit, and a second announcement
                    // would cost every page a read and hold the next real change in its throttle. Back after an
                    // outage, pages re-read whatever the stamp says, and drop their "stale" marks.
                    if (failing || foreign)
                        notifier.NotifyChanged();
                    if (failing)
                        logger.LogInformation("The database answers again.");
                    failing = false;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    ForgetSqliteWatch();
                    seen = null;
                    seenStamp = null;
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
            ForgetSqliteWatch();
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

    /// <summary>
    /// SQLite's data_version, on one connection kept for it (the counter is per connection), and whether every change
    /// since the last poll was this instance's own: it committed meanwhile, and nobody committed after it.
    /// </summary>
    private (long Version, bool OnlyOwn) SqliteDataVersion()
    {
        lock (_watchLock)
        {
            if (_sqliteWatch is null)
            {
                // Not from the pool: a pooled handle would be shared with other work and could be closed under us.
                var watch = new SqliteConnection(
                    new SqliteConnectionStringBuilder(connection.ConnectionString) { Pooling = false }.ToString()
                );
                watch.Open();
                _sqliteWatch = watch;
            }
            var version = ReadDataVersion(_sqliteWatch);
            var onlyOwn = _ownCommitSincePoll && _versionAfterOwnCommit == version;
            _ownCommitSincePoll = false;
            return (version, onlyOwn);
        }
    }

    private static long ReadDataVersion(SqliteConnection watch)
    {
        using var command = watch.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }

    private void ForgetSqliteWatch()
    {
        lock (_watchLock)
        {
            _sqliteWatch?.Dispose();
            _sqliteWatch = null;
            _versionAfterOwnCommit = null;
        }
    }
}
