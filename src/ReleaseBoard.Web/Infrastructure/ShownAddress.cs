namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// A receiver's address as it may be shown, listed and audited: scheme and host only. Slack, Teams and many relays
/// carry their token in the path or the query, so neither is ever shown.
/// </summary>
public static class ShownAddress
{
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Authority}/{(uri.AbsolutePath.Length > 1 || uri.Query.Length > 0 ? "…" : "")}"
            : "(not an address)";
}
