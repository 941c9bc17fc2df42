namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// The address of a receiver ReleaseBoard posts to (a dispatch target, a notification webhook): what it accepts, and
/// how it may be shown, listed and audited — scheme and host only, since Slack, Teams and many relays carry their
/// token in the path or the query.
/// </summary>
public static class ReceiverAddress
{
    /// <summary>An absolute http(s) address of at most 2,000 characters, spaces around it ignored.</summary>
    public static bool TryParse(string? url, out Uri address) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out address!)
        && address.Scheme is "http" or "https"
        && address.ToString().Length <= 2000;

    public static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Authority}/{(uri.AbsolutePath.Length > 1 || uri.Query.Length > 0 ? "…" : "")}"
            : "(not an address)";
}
