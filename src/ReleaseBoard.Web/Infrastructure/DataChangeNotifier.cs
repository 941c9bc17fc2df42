namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Raised after a commit (here or, through <see cref="ChangeStampPoller"/>, elsewhere) so open pages re-read.
/// Subscribers must not block and must marshal onto their own renderer.
/// </summary>
public sealed class DataChangeNotifier(ILogger<DataChangeNotifier> logger)
{
    private long _version;

    /// <summary>The change stamps this instance's last writes set, newest last: the poller ignores them.</summary>
    private readonly Queue<Guid> _ownStamps = new();
    private const int OwnStampsKept = 256;

    public event Action? Changed;

    /// <summary>
    /// Raised on the committing thread right after this instance commits, before <see cref="Changed"/>: the change
    /// poller notes where the database stands, so it does not announce this write a second time.
    /// </summary>
    public event Action? OwnCommitted;

    /// <summary>
    /// Counts notifications, so a page that subscribes after its first read can tell whether it missed one.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>How many handlers listen now: one per open page, so a leak shows as a count that only grows.</summary>
    public int SubscriberCount => Changed?.GetInvocationList().Length ?? 0;

    /// <summary>A write of this instance set the stamp to this value, and is committed.</summary>
    public void RememberOwnStamp(Guid stamp)
    {
        lock (_ownStamps)
        {
            _ownStamps.Enqueue(stamp);
            if (_ownStamps.Count > OwnStampsKept)
                _ownStamps.Dequeue();
        }
    }

    /// <summary>
    /// Whether this instance set the stamp to this value. If so, this instance announced the write when it committed,
    /// and its pages' reads since then saw every commit before it too.
    /// </summary>
    public bool IsOwnStamp(Guid stamp)
    {
        lock (_ownStamps)
            return _ownStamps.Contains(stamp);
    }

    /// <summary>This instance committed a write: noted for the poller, then announced to the pages.</summary>
    public void NotifyOwnCommit()
    {
        try
        {
            OwnCommitted?.Invoke();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Noting an own commit for the change poller failed; it may announce it again.");
        }
        NotifyChanged();
    }

    /// <summary>Something changed: a write here, or one of another instance seen by the poller.</summary>
    public void NotifyChanged()
    {
        Interlocked.Increment(ref _version);
        foreach (var handler in Changed?.GetInvocationList().Cast<Action>() ?? [])
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                // One broken subscriber (a disposed circuit) must not keep the others from hearing of the change.
                logger.LogWarning(ex, "A data-change subscriber failed.");
            }
        }
    }
}
