using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// The real app, as `dotnet ReleaseBoard.Web.dll`, on a real Kestrel port with its own SQLite file. It binds port 0
/// and the port it got is read back from its log; it can be stopped (killed, like a crash) and started again on that
/// same port and database, which is what a wall has to survive. Its output is kept per instance (<see cref="Log"/>).
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly string _dataFolder;
    private readonly bool _ownsDataFolder;
    private readonly bool _pooling;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    /// <param name="sharesDatabaseWith">
    /// Another instance whose database this one uses too: two instances behind one load balancer.
    /// </param>
    /// <param name="pooledConnections">
    /// False opens the database file afresh for every operation, so that taking the file away is felt at once.
    /// </param>
    /// <param name="environment">
    /// Settings of this instance (e.g. Transport__PublicBaseUrl), as environment variables.
    /// </param>
    public AppServer(
        AppServer? sharesDatabaseWith = null,
        bool pooledConnections = true,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        _pooling = pooledConnections;
        _ownsDataFolder = sharesDatabaseWith is null;
        _dataFolder = sharesDatabaseWith?._dataFolder
            ?? Path.Combine(Path.GetTempPath(), "releaseboard-browser-tests", Guid.NewGuid().ToString("N"));
        _environment = environment?.ToDictionary() ?? [];
        Directory.CreateDirectory(_dataFolder);
    }

    /// <summary>The port Kestrel bound at the first start (0 was asked for), kept for restarts.</summary>
    public int Port { get; private set; }
    public string BaseUrl =>
        Port > 0 ? $"http://127.0.0.1:{Port}" : throw new InvalidOperationException("Not started yet.");

    /// <summary>Everything this instance wrote, standard output and error, in order.</summary>
    public IEnumerable<string> Log => _log;
    public string DataFolder => _dataFolder;
    public string DatabaseFile => Path.Combine(_dataFolder, "releaseboard.db");
    public string ConnectionString =>
        new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Pooling = _pooling }.ToString();

    /// <summary>A context on this instance's database, for a test to arrange or check what is stored.</summary>
    public ReleaseBoardDbContext Db()
    {
        var options = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        options.UseReleaseBoardDatabase(DatabaseProvider.Sqlite, ConnectionString);
        return new ReleaseBoardDbContext(options.Options);
    }

    public async Task StartAsync()
    {
        if (_process is not null)
            throw new InvalidOperationException("Already running.");
        var start = StartInfo("--urls", $"http://127.0.0.1:{Port}");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        void Keep(string? line)
        {
            if (line is null)
                return;
            _log.Enqueue(line);
            // Kestrel says where it listens: "Now listening on: http://127.0.0.1:41234".
            if (
                line.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal)
                && int.TryParse(line[(line.LastIndexOf(':') + 1)..].Trim(), out var port)
            )
                listening.TrySetResult(port);
        }
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException(
                    $"The app exited at start with code {_process.ExitCode}:\n{string.Join('\n', _log)}"
                );
            if (listening.Task.IsCompleted)
                Port = await listening.Task;
            if (Port > 0 && await AnswersAsync())
                return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"The app did not answer on /healthz within 90 s:\n{string.Join('\n', _log)}");
    }

    /// <summary>Runs an operator command (`ReleaseBoard.Web users create …`) against the same database.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(
        string? standardInput,
        params string[] args
    )
    {
        var start = StartInfo(args);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the command.");
        if (standardInput is not null)
            await process.StandardInput.WriteLineAsync(standardInput);
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
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ReleaseBoard"] = ConnectionString;
        start.Environment["DemoData__SeedOnEmptyDatabase"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information"; // "Now listening on"
        // Every browser of the suite signs in from 127.0.0.1: the per-address limit has tests of its own.
        start.Environment["Access__SignInAttemptsPerMinute"] = "100000";
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        return start;
    }

    /// <summary>Kills the process like a crash or a pulled plug: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
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
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static string WebAppAssemblyPath()
    {
        var configuration = typeof(AppServer)
            .Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()
            ?.Configuration
            ?? "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReleaseBoard.sln")))
            directory = directory.Parent;
        if (directory is null)
            throw new InvalidOperationException("Could not find ReleaseBoard.sln above the test output.");
        var path = Path.Combine(
            directory.FullName,
            "src",
            "ReleaseBoard.Web",
            "bin",
            configuration,
            "net10.0",
            "ReleaseBoard.Web.dll"
        );
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException("Build the solution first: the web app is not built.", path);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        if (!_ownsDataFolder)
            return;
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }
}
