using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ReleaseBoard.Web.Features.Dispatch;

namespace ReleaseBoard.Web.Features.Notifications;

public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>A freeze starting or ending is told within this.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Record streaks change by the day; looking each minute is plenty.</summary>
    public TimeSpan RecordInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public static class NotificationsSetup
{
    /// <summary>Targets, the audit-to-outbox interceptor, and the channel the outbox sends them through.</summary>
    public static IServiceCollection AddNotificationsCore(this IServiceCollection services)
    {
        services.AddDispatchCore();
        services.TryAddSingleton<NotificationTargets>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IOutboxChannel, NotificationTargets>(sp =>
                sp.GetRequiredService<NotificationTargets>()
            )
        );
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISaveChangesInterceptor, AuditNotifications>());
        services.TryAddSingleton<NotificationWatch>();
        services
            .AddOptions<NotificationOptions>()
            .BindConfiguration(NotificationOptions.SectionName)
            .Validate(
                o => o.WatchInterval >= TimeSpan.FromMilliseconds(100) && o.RecordInterval >= o.WatchInterval,
                "Notifications:WatchInterval must be at least 00:00:00.1 and RecordInterval at least as long."
            )
            .ValidateOnStart();
        return services;
    }

    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddNotificationsCore();
        builder.Services.AddHostedService<NotificationWorker>();
        return builder;
    }
}

/// <summary>Watches for what time brings (freezes, records) for as long as the app runs.</summary>
public sealed class NotificationWorker(
    NotificationWatch watch,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationWorker> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextRecords = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var records = clock.GetUtcNow() >= nextRecords;
            if (records)
                nextRecords = clock.GetUtcNow() + options.CurrentValue.RecordInterval;
            try
            {
                await watch.WatchAsync(records, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The notification watch failed; trying again.");
            }
            await Task.Delay(options.CurrentValue.WatchInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }
}
