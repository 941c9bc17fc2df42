using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;

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

    /// <summary>
    /// Signs a local person in as the login would: their id and security stamp in the claims, their role by claim,
    /// so the page's server-side checks read the store as they do in the app.
    /// </summary>
    protected async Task SignInAsync(
        Bunit.TestDoubles.BunitAuthorizationContext auth,
        string email,
        string role,
        params string[] policies
    )
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var person = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No {email}.");
        var stampClaim = scope
            .ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>()
            .Value.ClaimsIdentity.SecurityStampClaimType;
        auth.SetAuthorized(email);
        auth.SetRoles(role);
        auth.SetPolicies(policies);
        auth.SetClaims(
            new Claim(ClaimTypes.NameIdentifier, person.Id),
            new Claim(stampClaim, (await users.GetSecurityStampAsync(person))!)
        );
    }

    protected Task<ReleaseBoardDbContext> DbAsync() =>
        App
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
