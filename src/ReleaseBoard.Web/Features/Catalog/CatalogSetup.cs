using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReleaseBoard.Web.Features.Catalog;

public static class CatalogSetup
{
    /// <summary>The catalog and the team directory; the command line's <c>catalog</c> commands use them too.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton<CatalogService>();
        services.TryAddSingleton<TeamDirectory>();
        return services;
    }

    public static WebApplicationBuilder AddCatalog(this WebApplicationBuilder builder)
    {
        builder.Services.AddCatalog();
        return builder;
    }

    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder api) => api.MapCatalogEndpoints();
}
