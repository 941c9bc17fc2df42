namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// Expires promotion requests when their time is up (docs/promotion.md: requests expire, default 24 h), once a minute:
/// without it an expiry would be recorded only at the next action on that environment, and the audit trail would
/// show a request as waiting long after nobody could approve it.
/// </summary>
public sealed class PromotionExpirySweep(
    PromotionService promotion,
    TimeProvider clock,
    ILogger<PromotionExpirySweep> logger
) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var expired = await promotion.ExpireDueRequestsAsync(stoppingToken);
                if (expired > 0)
                    logger.LogInformation("Expired {Count} promotion request(s) past their time.", expired);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A database that is away for a minute must not end the sweep for good; the next tick tries again.
                logger.LogWarning(ex, "Expiring promotion requests failed; trying again in {Interval}.", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
