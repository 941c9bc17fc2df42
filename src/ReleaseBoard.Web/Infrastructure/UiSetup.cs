using MudBlazor.Services;

namespace ReleaseBoard.Web.Infrastructure;

public static class UiSetup
{
    /// <summary>Blazor (interactive server), MudBlazor, and the poller that keeps open pages live.</summary>
    public static WebApplicationBuilder AddReleaseBoardUi(this WebApplicationBuilder builder)
    {
        // Lets `dotnet ReleaseBoard.Web.dll` serve static assets straight from a build output in any environment
        // (the browser tests run it that way); a published app has no such manifest and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddHostedService<ChangeStampPoller>();
        return builder;
    }
}
