using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReleaseBoard.Web.Api;

public static class ApiSetup
{
    /// <summary>What every API area shares: JSON as the API writes it, problem details, the service resolver.</summary>
    public static IServiceCollection AddApiPlumbing(this IServiceCollection services)
    {
        services.TryAddSingleton<ServiceResolver>();
        return services;
    }

    public static WebApplicationBuilder AddReleaseBoardApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddApiPlumbing();
        builder.Services.AddProblemDetails();
        builder.Services.AddApiDocumentation();
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        return builder;
    }
}
