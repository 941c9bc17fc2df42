namespace ReleaseBoard.Web.Features.Access;

/// <summary>Bound from "Access".</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>
    /// Let anyone read the boards (home, walls, definitions) without signing in. Changing anything still needs a role.
    /// </summary>
    public bool AllowAnonymousViewing { get; set; }

    /// <summary>Sign-in (and password change) attempts per client address and minute before 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;
}

/// <summary>Bound from "Bootstrap": creates the first admin at start-up when no admin exists yet.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    public string? AdminEmail { get; set; }

    /// <summary>Pass it through the environment (Bootstrap__AdminPassword), never a committed file.</summary>
    public string? AdminPassword { get; set; }
}

/// <summary>
/// Bound from "Authentication:OpenIdConnect"; single sign-on is on when Authority and ClientId are set.
/// </summary>
public sealed class OpenIdConnectSettings
{
    public const string SectionName = "Authentication:OpenIdConnect";

    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the user's groups or roles at the identity provider.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Identity-provider values to ReleaseBoard roles, e.g. { "rb-admins": "Admin" }.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Label of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>
    /// How long a single-sign-on session lasts, without sliding: the provider is asked again after it, and open pages
    /// stop acting then (roles and removals at the provider count from the next sign-in).
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Only a provider on a loopback address in a test may be reached over plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
