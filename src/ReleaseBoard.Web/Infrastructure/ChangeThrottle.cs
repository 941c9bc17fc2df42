namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// At most one action per interval: the first change acts at once, the next ones fold into one at the interval's
/// end, so a pipeline posting thousands of events costs each page two reads a second.
/// </summary>
/// <param name="dispatch">Runs the action on the component's renderer (its InvokeAsync).</param>
public sealed class ChangeThrottle(
    TimeProvider clock,
    TimeSpan interval,
    Func<Func<Task>, Task> dispatch,
    Func<Task> action
) : IDisposable
{
    private DateTimeOffset _lastActionAt = DateTimeOffset.MinValue;
    private ITimer? _deferred;
    private bool _disposed;

    /// <summary>Safe from any thread.</summary>
    public void Trigger() =>
        _ = dispatch(() =>
        {
            if (_disposed || _deferred is not null)
                return Task.CompletedTask;
            var wait = _lastActionAt + interval - clock.GetUtcNow();
            if (wait <= TimeSpan.Zero)
                return RunAsync();
            _deferred = clock.CreateTimer(
                _ =>
                    _ = dispatch(() =>
                    {
                        _deferred?.Dispose();
                        _deferred = null;
                        return _disposed ? Task.CompletedTask : RunAsync();
                    }),
                null,
                wait,
                Timeout.InfiniteTimeSpan
            );
            return Task.CompletedTask;
        });

    private Task RunAsync()
    {
        _lastActionAt = clock.GetUtcNow();
        return action();
    }

    public void Dispose()
    {
        _disposed = true;
        _deferred?.Dispose();
    }
}
