namespace ReleaseBoard.Web.Features.Catches;

public static class CatchesSetup
{
    public static WebApplicationBuilder AddCatches(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CatchRecorder>();
        return builder;
    }
}
