using System.Security.Claims;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>Which teams a principal may act for: people by role act for every team, an API key for its own team.</summary>
public static class TeamAccess
{
    public static bool IsApiKey(this ClaimsPrincipal principal) => principal.HasClaim(c => c.Type == ApiKeyClaims.KeyId);

    public static bool MayActForTeam(this ClaimsPrincipal principal, string teamSlug)
    {
        if (!principal.IsApiKey()) return true;
        var team = principal.FindFirstValue(ApiKeyClaims.Team);
        return team == ApiKeyClaims.AllTeams || string.Equals(team, teamSlug, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The name the audit trail records for this principal.</summary>
    public static ReleaseBoard.Web.Infrastructure.AuditActor ToAuditActor(this ClaimsPrincipal principal)
    {
        if (principal.IsApiKey())
            return new(ReleaseBoard.Data.Entities.AuditActorKind.ApiKey, $"api key {principal.Identity?.Name}");
        return principal.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? ReleaseBoard.Web.Infrastructure.AuditActor.User(name)
            : ReleaseBoard.Web.Infrastructure.AuditActor.AnonymousUser;
    }
}
