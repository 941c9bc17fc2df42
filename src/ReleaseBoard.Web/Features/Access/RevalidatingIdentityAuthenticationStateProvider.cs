using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// An open page (a circuit can live for days) re-checks the signed-in person every minute: a changed role, a reset
/// password or a deleted account changes the security stamp, and the page falls back to signed-out at once.
/// </summary>
internal sealed class RevalidatingIdentityAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identityOptions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        var stamp = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
        if (stamp is null) return true; // single sign-on: no local account to compare with

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var user = await users.GetUserAsync(principal);
        return user is not null && await users.GetSecurityStampAsync(user) == stamp;
    }
}
