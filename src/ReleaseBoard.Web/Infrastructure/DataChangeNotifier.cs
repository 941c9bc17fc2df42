namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Raised after a commit (here or, through <see cref="ChangeStampPoller"/>, elsewhere) so open pages re-read.
/// Subscribers must not block and must marshal onto their own renderer.
/// </summary>
public sealed class DataChangeNotifier(ILogger<DataChangeNotifier> logger)
{
    private long _version;

    public event Action? Changed;

    /// <summary>
    /// Counts notifications, so a page that subscribes after its first read can tell whether it missed one.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

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
