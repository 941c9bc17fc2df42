using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using ReleaseBoard.Data;

namespace ReleaseBoard.Tests.Support;

/// <summary>
/// bUnit on the real app's services (store, Identity, promotion …) for pages whose point is what the server decides:
/// MudBlazor and the sign-in are bUnit's, everything else comes from a whole app on its own SQLite file.
/// </summary>
public abstract class AppBunitContext : BunitContext, IAsyncLifetime
{
    protected ReleaseBoardAppFactory App { get; } = new();

    public abstract ValueTask InitializeAsync();

    /// <summary>Call once the test's own services are added: after it, bUnit takes no more registrations.</summary>
    protected Bunit.TestDoubles.BunitAuthorizationContext UseAppServices()
    {
        Services.AddMudServices();
        Services.AddFallbackServiceProvider(App.Services);
        var authorization = AddAuthorization(); // before the first service is read (the renderer is one)
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        JSInterop.Mode = JSRuntimeMode.Loose; // MudBlazor's own interop
        return authorization;
    }

    protected Task<ReleaseBoardDbContext> DbAsync() =>
        App.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
