using System.Diagnostics;

namespace ReleaseBoard.Tests.Support;

/// <summary>OpenSSL's HMAC, not ours: the receiver's side of a signature, computed by an independent tool.</summary>
public static class OpenSsl
{
    /// <summary>"sha256=" and the hex HMAC-SHA256 of <paramref name="body"/>, as `openssl dgst` computes it.</summary>
    public static async Task<string> HmacSha256Async(string secret, byte[] body, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("openssl", ["dgst", "-sha256", "-hmac", secret, "-r"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.BaseStream.WriteAsync(body, cancellationToken);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return "sha256=" + output.Split(' ')[0].Trim();
    }
}
