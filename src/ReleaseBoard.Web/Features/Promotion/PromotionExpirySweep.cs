namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// Expires requests once a minute, so the audit trail never shows a request as waiting after nobody could approve
/// it (without it, expiry would be seen only at the next action).
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
