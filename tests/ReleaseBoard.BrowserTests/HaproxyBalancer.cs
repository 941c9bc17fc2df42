using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
    public int Port { get; } = FreePort();
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
        var start = new ProcessStartInfo(HaproxyPath)
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-db", "-f", config })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start HAProxy.");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _output.Enqueue(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _output.Enqueue(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"HAProxy exited with code {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await probe.GetAsync($"{BaseUrl}/healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"HAProxy did not balance /healthz within 30 s:\n{Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }
}
