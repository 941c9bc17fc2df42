using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Components;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Operations;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web;

/// <summary>The composition root's second half: what runs before serving, the middleware, the map of routes.</summary>
public static class AppPipeline
{
    /// <summary>Migrates, seeds the demo on an empty database, and makes sure someone can sign in.</summary>
    public static async Task PrepareAsync(this WebApplication app)
    {
        await app.MigrateDatabaseAsync();
        await app.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync();
        await app.EnsureFirstAdminAsync();
        app.WarnOfRetiredSettings();
    }

    public static void UseReleaseBoardPipeline(this WebApplication app)
    {
        app.UseReleaseBoardTransport();
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        // People get a page for an error status; machines (calls to /api, anything with a Bearer key) get
        // application/problem+json for every status that has no body of its own (401, 403, a bad query string).
        static bool ForMachines(HttpContext context) =>
            context.Request.Path.StartsWithSegments("/api")
            || ApiKeyAuthenticationHandler.TryReadBearer(context.Request, out _);
        app.UseWhen(
            context => !ForMachines(context),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true)
        );
        app.UseWhen(ForMachines, branch => branch.UseStatusCodePages().UseDatabaseOutageAnswers());
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
    }

    public static void MapReleaseBoard(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapAccountEndpoints();
        app.MapApiDocumentation();
        // No antiforgery form tokens on the API: event writes take a Bearer key only, and the promotion changes that
        // take a person's cookie guard themselves (JSON bodies only, same-origin filter; see PromotionEndpoints).
        var api = app.MapGroup("/api/v1").DisableAntiforgery();
        api.MapWall();
        api.MapTrends();
        api.MapIngestion();
        api.MapCatalog();
        api.MapPromotion();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
