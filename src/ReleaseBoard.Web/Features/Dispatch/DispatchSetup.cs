using Microsoft.Extensions.DependencyInjection.Extensions;
using ReleaseBoard.Web.Features.Promotion;

namespace ReleaseBoard.Web.Features.Dispatch;

public static class DispatchSetup
{
    /// <summary>Targets and the outbox; the command line needs the targets (and a retry) without the worker.</summary>
    public static IServiceCollection AddDispatchCore(this IServiceCollection services)
    {
        services.AddPromotionRules();
        services.TryAddSingleton<PromotionGate>();
        services.TryAddSingleton<DispatchTargets>();
        services.TryAddSingleton<Outbox>();
        services.TryAddSingleton<DispatchScanner>();
        services.TryAddSingleton<OutboxSender>();
        services.TryAddSingleton<ReceiverClient>();
        // A redirect would send the signed body (or a GET) somewhere nobody configured.
        // Its request logs would name the address, and Slack's and Teams' addresses hold their token: none are written.
        services
            .AddHttpClient(ReceiverClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers();
        services
            .AddOptions<DispatchOptions>()
            .BindConfiguration(DispatchOptions.SectionName)
            .Validate(
                o => o.Lease > o.Timeout + TimeSpan.FromSeconds(10),
                "Dispatch:Lease must exceed Dispatch:Timeout by more than 10 seconds."
            )
            .Validate(o => o.MaxAttempts >= 1, "Dispatch:MaxAttempts must be at least 1.")
            .ValidateOnStart();
        return services;
    }

    public static WebApplicationBuilder AddDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.AddDispatchCore();
        builder.Services.AddHostedService<DispatchWorker>();
        return builder;
    }
}
