namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A person as an SSO provider knows them, by issuer and subject (which never change; emails do); linked to a local
/// account by an Admin or a verified email, and then one person with one id for four eyes.
/// </summary>
public class SsoIdentity
{
    public int Id { get; set; }
    public required string Issuer { get; set; }
    public required string Subject { get; set; }

    /// <summary>
    /// The email and name the provider gave at the last sign-in (for people to read; never for identity).
    /// </summary>
    public string? Email { get; set; }
    public bool EmailVerified { get; set; }
    public string? Name { get; set; }

    /// <summary>The local account this identity is the same person as, if any.</summary>
    public string? LinkedUserId { get; set; }
    public ReleaseBoardUser? LinkedUser { get; set; }

    /// <summary>Set by an Admin: this identity may not sign in or act, whatever the provider says.</summary>
    public DateTime? BlockedAt { get; set; }

    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSignInAt { get; set; }
}
