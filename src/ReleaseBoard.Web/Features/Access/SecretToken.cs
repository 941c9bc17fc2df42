using System.Security.Cryptography;
using System.Text;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// Random secrets (API keys, display-link tokens) and their stored form. A 256-bit random value needs no slow hash:
/// SHA-256 of it cannot be reversed or guessed, and it can be looked up by an index.
/// </summary>
public static class SecretToken
{
    public const int DisplayPrefixLength = 10;

    /// <summary>A new secret such as "rbk_3q2…" (prefix + 43 URL-safe characters).</summary>
    public static string Create(string prefix) =>
        prefix
        + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The part that may be shown later to tell secrets apart.</summary>
    public static string DisplayPrefix(string secret) => secret[..Math.Min(DisplayPrefixLength, secret.Length)];
}
