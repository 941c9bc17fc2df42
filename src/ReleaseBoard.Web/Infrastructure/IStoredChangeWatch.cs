using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// A value a feature keeps in the store and must hear of when another process changes it; the poller reads each
/// watch when the database changed and lets it announce before pages re-read.
/// </summary>
public interface IStoredChangeWatch
{
    Task ReadAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken);

    void AnnounceIfChanged();
}
