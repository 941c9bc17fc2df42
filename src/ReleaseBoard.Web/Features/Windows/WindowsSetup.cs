using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReleaseBoard.Web.Features.Windows;

public static class WindowsSetup
{
    /// <summary>The windows and freezes; the gate and the dispatcher need them, so Promotion adds them too.</summary>
    public static IServiceCollection AddWindows(this IServiceCollection services)
    {
        services.TryAddSingleton<DeploymentWindows>();
        return services;
    }

    public static WebApplicationBuilder AddWindows(this WebApplicationBuilder builder)
    {
        builder.Services.AddWindows();
        return builder;
    }
}
