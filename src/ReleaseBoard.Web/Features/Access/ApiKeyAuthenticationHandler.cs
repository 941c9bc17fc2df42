using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>Authenticates "Authorization: Bearer &lt;api key&gt;". The key is never logged; only its name is.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService apiKeys
) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadBearer(Request, out var presented))
            return AuthenticateResult.NoResult();

        var key = await apiKeys.AuthenticateAsync(presented, Context.RequestAborted);
        if (key is null)
            return AuthenticateResult.Fail("Unknown or revoked API key.");

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, $"api-key/{key.Id}"),
                new Claim(ClaimTypes.Name, key.Name),
                new Claim(ApiKeyClaims.KeyId, key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ApiKeyClaims.Team, key.TeamSlug ?? ApiKeyClaims.AllTeams),
            ],
            Scheme.Name
        );
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    public static bool TryReadBearer(HttpRequest request, out string token)
    {
        token = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return false;
        token = header["Bearer ".Length..].Trim();
        return token.Length > 0;
    }
}
