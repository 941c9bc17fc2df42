using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

public sealed class ChangeOptions
{
    public const string SectionName = "Changes";

    /// <summary>
    /// How often each instance reads the change stamp to learn of other instances' writes (and of the command line's).
    /// One indexed single-row read per interval; a second keeps walls within about a second of any instance.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Scale-out (DESIGN.md §6): several instances on one database see each other's writes. Each write gives the change
/// stamp row a new value in its own transaction (<see cref="DataChangeInterceptor"/>); this reads the row every
/// <see cref="ChangeOptions.PollInterval"/> and, when it changed, notifies the pages here as a local write would. It is also how open pages learn at once that the database went
/// away, and came back.
/// </summary>
public sealed class ChangeStampPoller(IDbContextFactory<ReleaseBoardDbContext> dbFactory, DataChangeNotifier notifier, TimeProvider clock,
    IOptions<ChangeOptions> options, ILogger<ChangeStampPoller> logger) : BackgroundService
{
    /// <summary>
    /// The stamp as it stands. On SQL Server without waiting for locks: every write holds the row until it commits,
    /// and a long one (an import) must not make this read time out and every wall claim the database is away; a value
    /// read dirty costs at most one extra re-read.
    /// </summary>
    private static Task<Guid> ReadStampAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken) =>
        (db.Database.IsSqlServer()
            ? db.ChangeStamps.FromSqlRaw("SELECT [Id], [Value] FROM [ChangeStamps] WITH (NOLOCK)")
            : db.ChangeStamps)
        .AsNoTracking().Where(s => s.Id == ChangeStamp.RowId).Select(s => s.Value).SingleOrDefaultAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Guid? seen = null;
        var failing = false;
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var current = await ReadStampAsync(db, stoppingToken);
                // Any change, our own writes included: a value we wrote may hide another instance's write just before
                // it, and the pages fold the extra notification into their throttled re-read anyway. Back after an
                // outage, pages re-read whatever the stamp says, and drop their "stale" marks.
                if (failing || (seen is not null && current != seen)) notifier.NotifyChanged();
                seen = current;
                if (failing) logger.LogInformation("The database answers again.");
                failing = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database away: say so once, and have the open pages try a read, which fails and marks their
                // figures stale at once rather than at their next scheduled refresh. Keep polling; catch up when it answers.
                if (!failing)
                {
                    logger.LogWarning(ex, "The database does not answer; pages keep their last figures, marked stale, until it does.");
                    failing = true;
                    notifier.NotifyChanged();
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
