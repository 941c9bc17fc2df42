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

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
