using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// A value a feature keeps in the store and must hear of when another process changes it (Access: its revocation
/// stamp). The change poller reads each watch when the database changed, at start and back from an outage, then lets
/// each announce what it saw once the round is over, before the pages re-read.
/// </summary>
public interface IStoredChangeWatch
{
    Task ReadAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken);

    void AnnounceIfChanged();
}
