using Microsoft.Extensions.Options;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>
/// Scans for eligible versions and sends the outbox, each on its interval, for as long as the app runs.
/// </summary>
public sealed class DispatchWorker(
    DispatchScanner scanner,
    OutboxSender sender,
    IOptionsMonitor<DispatchOptions> options,
    TimeProvider clock,
    ILogger<DispatchWorker> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextScan = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // A scan that fails must not stop sending what is owed, nor the other way round.
            if (clock.GetUtcNow() >= nextScan)
            {
                nextScan = clock.GetUtcNow() + options.CurrentValue.ScanInterval;
                if (!await RoundAsync(() => scanner.ScanAsync(stoppingToken), "scan", stoppingToken))
                    return;
            }
            if (!await RoundAsync(() => sender.SendDueAsync(stoppingToken), "send", stoppingToken))
                return;
            await Task.Delay(options.CurrentValue.SendInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }

    /// <summary>False when the app is stopping; a failure is logged and the loop goes on.</summary>
    private async Task<bool> RoundAsync(Func<Task<int>> round, string what, CancellationToken stoppingToken)
    {
        try
        {
            await round();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Dispatch {Round} failed; trying again.", what);
        }
        return true;
    }
}
