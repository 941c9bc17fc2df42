using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReleaseBoard.Web.Features.Trends;

public static class TrendsSetup
{
    public static IServiceCollection AddTrendEngine(this IServiceCollection services)
    {
        services.TryAddSingleton<TrendEngine>();
        return services;
    }

    public static WebApplicationBuilder AddTrends(this WebApplicationBuilder builder)
    {
        builder.Services.AddTrendEngine();
        return builder;
    }

    public static RouteGroupBuilder MapTrends(this RouteGroupBuilder api) => api.MapTrendEndpoints();
}
