using System.Security.Cryptography;
using System.Text;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// HMAC-SHA256 over the raw body, compared in constant time, as GitHub and PagerDuty sign their webhooks.
/// </summary>
public static class WebhookSignature
{
    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>GitHub: "X-Hub-Signature-256: sha256=&lt;hex&gt;".</summary>
    public static bool IsValidGitHub(string? header, string secret, ReadOnlySpan<byte> body) =>
        header is { } value
        && value.StartsWith("sha256=", StringComparison.Ordinal)
        && EqualHex(value["sha256=".Length..], Compute(secret, body));

    /// <summary>
    /// PagerDuty: "X-PagerDuty-Signature: v1=&lt;hex&gt;[,v1=&lt;hex&gt;]" — several while a secret is being rotated;
    /// one match is enough.
    /// </summary>
    public static bool IsValidPagerDuty(string? header, string secret, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
            return false;
        var expected = Compute(secret, body);
        var valid = false;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (part.StartsWith("v1=", StringComparison.Ordinal) && EqualHex(part[3..], expected))
                valid = true;
        return valid;
    }

    private static bool EqualHex(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(given.ToLowerInvariant()),
            Encoding.ASCII.GetBytes(expected)
        );
}
