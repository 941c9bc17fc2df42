namespace ReleaseBoard.Web.Features.Wall;

public static class WallSetup
{
    public static WebApplicationBuilder AddWall(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WallQuery>();
        return builder;
    }

    public static RouteGroupBuilder MapWall(this RouteGroupBuilder api) => api.MapWallEndpoints();
}
