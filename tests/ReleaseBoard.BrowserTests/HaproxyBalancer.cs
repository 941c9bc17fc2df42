using System.Collections.Concurrent;
using System.Diagnostics;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// Debian's HAProxy in front of two app instances, as a sticky load balancer is set up for ReleaseBoard (README,
/// "Several instances"): affinity by an inserted cookie, health checks on /readyz every half second, and a request
/// whose instance is down sent to the other (redispatch). WebSockets pass through with a long tunnel timeout.
/// </summary>
public sealed class HaproxyBalancer : IAsyncDisposable
{
    /// <summary>Override with RELEASEBOARD_HAPROXY; Debian's package installs it here.</summary>
    public static string HaproxyPath =>
        Environment.GetEnvironmentVariable("RELEASEBOARD_HAPROXY") ?? "/usr/sbin/haproxy";

    /// <summary>The affinity cookie; its value names the instance ("a" or "b").</summary>
    public const string Cookie = "RBINSTANCE";

    private readonly string _folder = Directory.CreateTempSubdirectory("releaseboard-haproxy-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    // HAProxy cannot report a port it chose; it is given one that was free a moment ago.
    public int Port { get; } = ToolProcess.FreePort();
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string Log => string.Join('\n', _output);

    public async Task StartAsync(int portA, int portB)
    {
        if (!File.Exists(HaproxyPath))
            throw new InvalidOperationException(
                $"HAProxy not found at {HaproxyPath}: apt-get install haproxy (scripts/test.sh does), or set "
                    + "RELEASEBOARD_HAPROXY."
            );
        var config = Path.Combine(_folder, "haproxy.cfg");
        await File.WriteAllTextAsync(
            config,
            $$"""
            global
                log stdout format raw local0 info

            defaults
                mode http
                log global
                option httplog
                timeout connect 2s
                timeout client 1m
                timeout server 1m
                # A Blazor circuit is a long-lived WebSocket.
                timeout tunnel 1h

            frontend walls
                bind 127.0.0.1:{{Port}}
                default_backend releaseboard

            backend releaseboard
                balance roundrobin
                option redispatch
                retries 2
                option httpchk GET /readyz
                cookie {{Cookie}} insert indirect nocache
                server a 127.0.0.1:{{portA}} check inter 500 fall 2 rise 2 cookie a
                server b 127.0.0.1:{{portB}} check inter 500 fall 2 rise 2 cookie b

            """
        );
        _process = ToolProcess.Start(HaproxyPath, ["-db", "-f", config], _folder, _output);

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await ToolProcess.WaitUntilAnswersAsync(_process, probe, $"{BaseUrl}/healthz", () => Log, "HAProxy");
    }

    public async ValueTask DisposeAsync() => await ToolProcess.StopAsync(_process, _folder);
}
