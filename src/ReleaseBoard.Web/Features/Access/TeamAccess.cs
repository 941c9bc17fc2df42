using System.Security.Claims;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// Which teams a principal may act for: people by role act for every team, an API key for its own team.
/// </summary>
public static class TeamAccess
{
    public static bool IsApiKey(this ClaimsPrincipal principal) =>
        principal.HasClaim(c => c.Type == ApiKeyClaims.KeyId);

    public static bool MayActForTeam(this ClaimsPrincipal principal, string teamSlug)
    {
        if (!principal.IsApiKey())
            return true;
        var team = principal.FindFirstValue(ApiKeyClaims.Team);
        return team == ApiKeyClaims.AllTeams || string.Equals(team, teamSlug, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The person's stable id (local account id, else SSO issuer and subject); null for keys and anonymous callers.
    /// Names and emails change; this does not, so four eyes compare it.
    /// </summary>
    public static string? PersonId(this ClaimsPrincipal principal) =>
        principal.IsApiKey() || principal.Identity?.IsAuthenticated != true
            ? null
            : principal.FindFirstValue(PersonClaims.PersonId) ?? principal.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>Who the audit trail records for this principal.</summary>
    public static AuditActor ToAuditActor(this ClaimsPrincipal principal)
    {
        if (principal.IsApiKey())
            return new(
                AuditActorKind.ApiKey,
                $"api key {principal.Identity?.Name}",
                $"api-key/{principal.FindFirstValue(ApiKeyClaims.KeyId)}"
            );
        return
            principal.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            && principal.PersonId() is { } id
            ? AuditActor.User(id, name)
            : AuditActor.AnonymousUser;
    }
}

/// <summary>Claims ReleaseBoard adds to a person's sign-in.</summary>
public static class PersonClaims
{
    /// <summary>The stable id of <see cref="TeamAccess.PersonId"/>, set on single-sign-on sessions.</summary>
    public const string PersonId = "releaseboard:person";

    /// <summary>When a single-sign-on session ends (Unix seconds): open pages stop acting then.</summary>
    public const string SessionEnds = "releaseboard:session-ends";

    /// <summary>The SSO identity ("issuer subject") behind a session, so an Admin's block counts at once.</summary>
    public const string SsoIdentity = "releaseboard:sso-identity";

    /// <summary>
    /// The linked local account's security stamp at sign-in: a role change, reset or disable of that account ends
    /// the single-sign-on sessions too.
    /// </summary>
    public const string LinkedStamp = "releaseboard:linked-stamp";
}
