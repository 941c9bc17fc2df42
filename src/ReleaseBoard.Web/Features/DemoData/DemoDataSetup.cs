namespace ReleaseBoard.Web.Features.DemoData;

public static class DemoDataSetup
{
    public static IServiceCollection AddDemoData(this IServiceCollection services)
    {
        services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.SectionName);
        services.AddSingleton<DemoDataSeeder>();
        return services;
    }

    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.AddDemoData();
        return builder;
    }
}
