using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Operations;

public static class HealthEndpoints
{
    /// <summary>
    /// GET /healthz: 200 when the app serves and its database answers, 503 otherwise. The kiosk script polls it
    /// before reloading, so a wall never reloads onto the browser's error page.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async Task<IResult> (IDbContextFactory<ReleaseBoardDbContext> dbFactory, CancellationToken cancellationToken) =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                return await db.Database.CanConnectAsync(cancellationToken)
                    ? TypedResults.Text("ok")
                    : TypedResults.Text("database unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("Health")
            .WithSummary("Liveness and database reachability.")
            .ExcludeFromDescription()
            .DisableAntiforgery();
        return app;
    }
}
