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
            try
            {
                if (clock.GetUtcNow() >= nextScan)
                {
                    await scanner.ScanAsync(stoppingToken);
                    nextScan = clock.GetUtcNow() + options.CurrentValue.ScanInterval;
                }
                await sender.SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database away or a receiver misbehaving must not stop the loop: the outbox keeps what is owed.
                logger.LogWarning(ex, "Dispatch round failed; trying again.");
            }
            await Task.Delay(options.CurrentValue.SendInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }
}
