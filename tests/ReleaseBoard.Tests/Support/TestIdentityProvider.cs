using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace ReleaseBoard.Tests.Support;

/// <summary>Who the provider says is signing in next: its subject for them, and what it asserts.</summary>
public sealed record ProviderUser(string Subject, string Email, bool EmailVerified, params string[] Groups);

/// <summary>
/// A real OpenID Connect provider for the tests, built with OpenIddict on Kestrel at a loopback port of its own: the
/// authorization code flow with PKCE, signed id tokens, discovery and keys, exactly as ReleaseBoard's OpenID Connect
/// handler meets any provider. Nobody types a password here: whoever <see cref="Next"/> names is signed in.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "releaseboard";
    public const string ClientSecret = "a client secret for the test provider";

    private readonly WebApplication _app;

    public Uri Authority { get; }

    /// <summary>The person the next authorization request signs in.</summary>
    public ProviderUser Next { get; set; } = new("subject-1", "someone@example.test", true);

    private TestIdentityProvider(WebApplication app, Uri authority) => (_app, Authority) = (app, authority);

    public static async Task<TestIdentityProvider> StartAsync(string redirectUri)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        TestIdentityProvider? provider = null;
        builder
            .Services.AddOpenIddict()
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                options.RegisterScopes(Scopes.Email, Scopes.Profile);
                options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                options
                    .UseAspNetCore()
                    .DisableTransportSecurityRequirement()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough();
                // No store: the one client is checked here.
                options.EnableDegradedMode();
                options.AddEventHandler<ValidateAuthorizationRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        if (context.ClientId != ClientId)
                            context.Reject(Errors.InvalidClient, "Unknown client.");
                        else if (context.RedirectUri != redirectUri)
                            context.Reject(Errors.InvalidRequest, "Unknown redirect_uri.");
                        return default;
                    })
                );
                options.AddEventHandler<ValidateTokenRequestContext>(handler =>
                    handler.UseInlineHandler(context =>
                    {
                        if (context.ClientId != ClientId || context.Request.ClientSecret != ClientSecret)
                            context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                        return default;
                    })
                );
            });
        var app = builder.Build();
        app.MapGet("/connect/authorize", (HttpContext context) => SignIn(context, provider!.Next));
        app.MapPost("/connect/authorize", (HttpContext context) => SignIn(context, provider!.Next));
        app.MapPost("/connect/token", async (HttpContext context) =>
        {
            // The code carries the principal it was issued for; the token response is made from it.
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Results.SignIn(
                result.Principal!,
                authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme
            );
        });
        await app.StartAsync();
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        provider = new TestIdentityProvider(app, new Uri(address.TrimEnd('/') + "/"));
        return provider;
    }

    private static IResult SignIn(HttpContext context, ProviderUser user)
    {
        var request = context.GetOpenIddictServerRequest()!;
        var identity = new ClaimsIdentity(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme,
            Claims.Name,
            Claims.Role
        );
        identity
            .SetClaim(Claims.Subject, user.Subject)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.EmailVerified)
            .SetClaim(Claims.Name, user.Email)
            .SetClaims("groups", [.. user.Groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(
            new ClaimsPrincipal(identity),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme
        );
    }

    /// <summary>ReleaseBoard's settings for this provider.</summary>
    public IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            ["Authentication:OpenIdConnect:Authority"] = Authority.ToString(),
            ["Authentication:OpenIdConnect:ClientId"] = ClientId,
            ["Authentication:OpenIdConnect:ClientSecret"] = ClientSecret,
            ["Authentication:OpenIdConnect:RequireHttpsMetadata"] = "false",
            ["Authentication:OpenIdConnect:RoleClaim"] = "groups",
            ["Authentication:OpenIdConnect:RoleMap:release-leads"] = "Approver",
            ["Authentication:OpenIdConnect:RoleMap:release-admins"] = "Admin",
            ["Authentication:OpenIdConnect:RoleMap:engineering"] = "Viewer",
        };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
