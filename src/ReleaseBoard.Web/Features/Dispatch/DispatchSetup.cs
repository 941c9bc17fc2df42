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
        services.TryAddSingleton<DispatchScanner>();
        services.TryAddSingleton<OutboxSender>();
        services.AddHttpClient(OutboxSender.HttpClientName);
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.SectionName);
        return services;
    }

    public static WebApplicationBuilder AddDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.AddDispatchCore();
        builder.Services.AddHostedService<DispatchWorker>();
        return builder;
    }
}
