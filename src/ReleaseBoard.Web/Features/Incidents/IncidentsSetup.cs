namespace ReleaseBoard.Web.Features.Incidents;

public static class IncidentsSetup
{
    public static WebApplicationBuilder AddIncidents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OpenIncidents>();
        return builder;
    }
}
