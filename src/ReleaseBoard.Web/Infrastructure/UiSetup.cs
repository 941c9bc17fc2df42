using MudBlazor.Services;
using ReleaseBoard.Web.Components;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Operations;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Infrastructure;

public static class UiSetup
{
    /// <summary>Blazor (interactive server), MudBlazor and the services of each feature.</summary>
    public static WebApplicationBuilder AddReleaseBoardFeatures(this WebApplicationBuilder builder)
    {
        // Lets `dotnet ReleaseBoard.Web.dll` serve static assets straight from a build output in any environment
        // (the browser tests run it that way); a published app has no such manifest and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<WallQuery>();
        builder.Services.AddSingleton<CatchRecorder>();
        builder.Services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.SectionName);
        builder.Services.AddSingleton<DemoDataSeeder>();
        return builder;
    }

    /// <summary>Migrates, seeds the demo on an empty database, then maps the pages and endpoints.</summary>
    public static async Task UseReleaseBoardAsync(this WebApplication app)
    {
        await app.MigrateDatabaseAsync();
        await app.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync();

        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
