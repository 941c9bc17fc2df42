using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Operations;

public static class HealthEndpoints
{
    /// <summary>
    /// GET /healthz: liveness. 200 whenever the process serves, whatever the database does: an orchestrator that
    /// restarted the app for a database outage would drop every open wall, which keeps its last figures marked stale.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Health).WithName("Health").ExcludeFromDescription().DisableAntiforgery();

        // GET /readyz: 200 once this instance can serve real traffic: the database answers and every migration this
        // build knows is applied. A load balancer sends nothing to an instance started before `migrate` ran, and the
        // kiosk script reloads a wall only onto an instance that is ready.
        app.MapGet("/readyz", ReadyAsync).WithName("Ready").ExcludeFromDescription().DisableAntiforgery();
        return app;
    }

    private static IResult Health() => TypedResults.Text("ok");

    private static async Task<IResult> ReadyAsync(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
                return TypedResults.Text(
                    "not ready: database unavailable",
                    statusCode: StatusCodes.Status503ServiceUnavailable
                );
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? TypedResults.Text("ready")
                : TypedResults.Text(
                    $"not ready: {pending.Count} migration(s) not applied ({string.Join(", ", pending)}); "
                        + $"run the migrate command",
                    statusCode: StatusCodes.Status503ServiceUnavailable
                );
        }
        catch (Exception ex)
            when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return TypedResults.Text(
                "not ready: database unavailable",
                statusCode: StatusCodes.Status503ServiceUnavailable
            );
        }
    }
}
