using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The real app, as `dotnet ReleaseBoard.Web.dll`, on a real Kestrel port with its own SQLite file. It can be stopped
/// (killed, like a crash) and started again on the same port and database, which is what a wall has to survive.
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly string _dataFolder;
    private readonly bool _ownsDataFolder;
    private readonly bool _pooling;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;

    /// <param name="sharesDatabaseWith">Another instance whose database this one uses too: two instances behind one load balancer.</param>
    /// <param name="pooledConnections">False opens the database file afresh for every operation, so that taking the file away is felt at once.</param>
    public AppServer(AppServer? sharesDatabaseWith = null, bool pooledConnections = true)
    {
        _pooling = pooledConnections;
        _ownsDataFolder = sharesDatabaseWith is null;
        _dataFolder = sharesDatabaseWith?._dataFolder ?? Path.Combine(Path.GetTempPath(), "releaseboard-browser-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataFolder);
        Port = FreePort();
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string DataFolder => _dataFolder;
    public string DatabaseFile => Path.Combine(_dataFolder, "releaseboard.db");
    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Pooling = _pooling }.ToString();

    public async Task StartAsync()
    {
        if (_process is not null) throw new InvalidOperationException("Already running.");
        var start = StartInfo("--urls", BaseUrl);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        // Drain the output so a chatty app never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited at start with code {_process.ExitCode}.");
            if (await AnswersAsync()) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"The app did not answer on {BaseUrl}/healthz within 90 s.");
    }

    /// <summary>Runs an operator command (`ReleaseBoard.Web users create …`) against the same database.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(string? standardInput, params string[] args)
    {
        var start = StartInfo(args);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the command.");
        if (standardInput is not null) await process.StandardInput.WriteLineAsync(standardInput);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var webDll = WebAppAssemblyPath();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(webDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ReleaseBoard"] = ConnectionString;
        start.Environment["DemoData__SeedOnEmptyDatabase"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return start;
    }

    /// <summary>Kills the process like a crash or a pulled plug: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await _http.GetAsync($"{BaseUrl}/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    private static string WebAppAssemblyPath()
    {
        var configuration = typeof(AppServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReleaseBoard.sln")))
            directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException("Could not find ReleaseBoard.sln above the test output.");
        var path = Path.Combine(directory.FullName, "src", "ReleaseBoard.Web", "bin", configuration, "net10.0", "ReleaseBoard.Web.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the web app is not built.", path);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        if (!_ownsDataFolder) return;
        try { Directory.Delete(_dataFolder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
