using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// Debian's Caddy as the TLS-terminating reverse proxy in front of one app instance: HTTPS with its own internal CA
/// (`tls internal`, never installed into the machine's trust store), WebSockets passed through, X-Forwarded-For and
/// -Proto set, on loopback only, with its state and log in a folder of its own.
/// </summary>
public sealed class CaddyProxy : IAsyncDisposable
{
    public const string Host = "releaseboard.test";

    /// <summary>Override with RELEASEBOARD_CADDY; Debian's package installs it here.</summary>
    public static string CaddyPath => Environment.GetEnvironmentVariable("RELEASEBOARD_CADDY") ?? "/usr/bin/caddy";

    private readonly string _folder = Directory.CreateTempSubdirectory("releaseboard-caddy-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    // Caddy cannot report a port it chose, so it is given two that were free a moment ago, known before it starts
    // (the app behind it is told its public address first).
    private readonly int _httpPort = ToolProcess.FreePort();

    public int Port { get; } = ToolProcess.FreePort();
    public string BaseUrl => $"https://{Host}:{Port}";

    /// <summary>What Caddy printed, and its log file, for a failing test to show.</summary>
    public string Log => string.Join('\n', _output) + "\n" + (File.Exists(LogFile) ? File.ReadAllText(LogFile) : "");

    private string LogFile => Path.Combine(_folder, "caddy.log");

    public async Task StartAsync(int upstreamPort)
    {
        if (!File.Exists(CaddyPath))
            throw new InvalidOperationException(
                $"Caddy not found at {CaddyPath}: apt-get install caddy "
                    + "(scripts/test.sh does), or set RELEASEBOARD_CADDY."
            );
        var caddyfile = Path.Combine(_folder, "Caddyfile");
        await File.WriteAllTextAsync(
            caddyfile,
            $$"""
            {
                admin off
                skip_install_trust
                local_certs
                auto_https disable_redirects
                http_port {{_httpPort}}
                https_port {{Port}}
                log {
                    output file {{LogFile}}
                    level INFO
                }
            }

            https://{{Host}}:{{Port}} {
                bind 127.0.0.1
                tls internal
                reverse_proxy 127.0.0.1:{{upstreamPort}}
            }
            """
        );
        // Its CA, certificates and autosave live here, not in the user's home.
        var home = new[] { "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME" }.ToDictionary(v => v, _ => _folder);
        _process = ToolProcess.Start(
            CaddyPath,
            ["run", "--config", caddyfile, "--adapter", "caddyfile"],
            _folder,
            _output,
            home
        );

        using var probe = CreateClient();
        probe.Timeout = TimeSpan.FromSeconds(3);
        await ToolProcess.WaitUntilAnswersAsync(_process, probe, "/healthz", () => Log, "Caddy");
    }

    /// <summary>
    /// An HTTP client that reaches the app through Caddy, as a pipeline outside the host would: by name (for TLS),
    /// connected to loopback, Caddy's internal CA accepted without being installed anywhere.
    /// </summary>
    public HttpClient CreateClient() =>
        new(
            new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            }
        )
        {
            BaseAddress = new Uri(BaseUrl),
        };

    public async ValueTask DisposeAsync() => await ToolProcess.StopAsync(_process, _folder);
}
