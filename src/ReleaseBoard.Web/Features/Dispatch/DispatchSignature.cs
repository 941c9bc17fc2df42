using System.Security.Cryptography;
using System.Text;

namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>
/// The signature a receiver checks: "sha256=" and the lowercase hex HMAC-SHA256 of the exact body with the shared
/// secret, as GitHub signs its webhooks, so receivers can reuse their verification code.
/// </summary>
public static class DispatchSignature
{
    public const string Header = "X-ReleaseBoard-Signature-256";

    /// <summary>Why a signing secret someone gave is too weak to use, or null (none given: one is made).</summary>
    public static string? Weak(string? secret) =>
        secret is { Length: < 16 } ? "A signing secret is at least 16 characters." : null;

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
