using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// A real tool the tests run beside the app (Caddy, HAProxy): started with its output kept for a failing test to show,
/// waited for until it answers over HTTP, and killed with its folder removed afterwards.
/// </summary>
internal static class ToolProcess
{
    /// <summary>A loopback port that was free a moment ago, for a tool that cannot report the one it chose.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Process Start(
        string path,
        IEnumerable<string> arguments,
        string folder,
        ConcurrentQueue<string> output,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {Path.GetFileName(path)}.");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Enqueue(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Enqueue(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits up to 30 s until <paramref name="path"/> answers 2xx through the tool.</summary>
    public static async Task WaitUntilAnswersAsync(
        Process process,
        HttpClient probe,
        string path,
        Func<string> log,
        string name
    )
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}:\n{log()}");
            try
            {
                if ((await probe.GetAsync(path)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not answer {path} within 30 s:\n{log()}");
    }

    public static async Task StopAsync(Process? process, string folder)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }
}
