namespace ReleaseBoard.Web.Features.Access;

/// <summary>Where a person may be sent after signing in: a path on this site, never another site.</summary>
public static class LocalUrl
{
    /// <summary>
    /// The same rule as ASP.NET Core's IsLocalUrl: "/path" but not "//host", "/\host" or anything with control
    /// characters (browsers drop a tab, turning "/\t/host" into "//host").
    /// </summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";
}
