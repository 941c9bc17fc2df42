namespace ReleaseBoard.Web.Features.Access;

/// <summary>The three roles. Each includes what the one before it may do.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Approver = "Approver";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Approver, Admin];

    /// <summary>The lesser of two roles (null when either is null): what a person holds when two sources say.</summary>
    public static string? Lesser(string? a, string? b) =>
        a is null || b is null ? null : All[Math.Min(IndexOf(a), IndexOf(b))];

    /// <summary>The greatest of some roles, or null.</summary>
    public static string? Greatest(IEnumerable<string> roles) =>
        roles.Select(IndexOf).Where(i => i >= 0).DefaultIfEmpty(-1).Max() is var i and >= 0 ? All[i] : null;

    private static int IndexOf(string role) => All.ToList().IndexOf(role);

    /// <summary>Parses a role name case-insensitively; null when it is none of the three.</summary>
    public static string? Parse(string? value) =>
        All.FirstOrDefault(r => string.Equals(r, value?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>Authorization policies, checked on the server for pages, endpoints and service calls alike.</summary>
public static class Policies
{
    /// <summary>
    /// Read the boards' pages: any signed-in role, or anyone when anonymous viewing is switched on. Not API keys.
    /// </summary>
    public const string View = "View";

    /// <summary>
    /// Read through the API: what <see cref="View"/> allows, or an API key (for its team, checked by the endpoint).
    /// </summary>
    public const string Read = "Read";

    /// <summary>
    /// Record events (catches, later deployments and incidents) and act on promotion: Approver or Admin.
    /// </summary>
    public const string Record = "Record";

    /// <summary>A person signed in, whatever their role (their own account's settings). Never an API key.</summary>
    public const string Person = "Person";

    /// <summary>Users, keys, display links, settings: Admin.</summary>
    public const string Admin = "Admin";

    /// <summary>
    /// API endpoints that record events: an API key only, for its team (checked by the endpoint). A browser session
    /// never writes through the API, so no other site can make a signed-in person's browser write (CSRF).
    /// </summary>
    public const string Ingest = "Ingest";
}

/// <summary>Claims carried by a principal that authenticated with an API key.</summary>
public static class ApiKeyClaims
{
    public const string Scheme = "ApiKey";
    public const string KeyId = "releaseboard:api-key-id";

    /// <summary>The slug of the one team the key may act for, or <see cref="AllTeams"/>.</summary>
    public const string Team = "releaseboard:team";
    public const string AllTeams = "*";
}
