using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace ReleaseBoard.Benchmarks;

/// <summary>
/// The built app as an operator runs it, in a folder of its own: a migrated SQLite file with one team ("load", one
/// service "load-api" with a staging stage), its command line, and the server on a free loopback port. The folder is
/// deleted afterwards.
/// </summary>
internal sealed class BenchApp : IDisposable
{
    private static readonly string Web = Path.Combine(AppContext.BaseDirectory, "ReleaseBoard.Web.dll");
    private Process? _server;

    private BenchApp(string name)
    {
        Folder = Directory.CreateTempSubdirectory($"releaseboard-{name}-").FullName;
        Database = Path.Combine(Folder, $"{name}.db");
        Port = FreePort();
    }

    public string Folder { get; }
    public string Database { get; }
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static async Task<BenchApp> CreateAsync(string name)
    {
        var app = new BenchApp(name);
        await app.RunAsync("migrate");
        app.Seed();
        return app;
    }

    /// <summary>Runs the command line against the same database, as a second process; throws when it fails.</summary>
    public Task<string> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>The same, with a line on standard input (a secret, a webhook address).</summary>
    public async Task<string> RunWithInputAsync(string? input, params string[] args)
    {
        var start = StartInfo(args);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        if (input is not null)
            await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', args)} failed: {await error}");
        return (await output).Trim();
    }

    /// <summary>A new API key for the "load" team (printed once by the command line).</summary>
    public Task<string> CreateKeyAsync(string name) => RunAsync("apikeys", "create", "--name", name, "--team", "load");

    /// <summary>Starts the server and waits until it answers.</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartInfo(["--urls", BaseUrl]);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        var process = _server = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        await WaitUntilUpAsync(http);
    }

    /// <summary>Stops the server, so what is measured next has the machine to itself.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
            return;
        _server.Kill(entireProcessTree: true);
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
    }

    public HttpClient Client(string? key = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (key is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Database}");
        connection.Open();
        return connection;
    }

    private void Seed()
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Teams (Slug, Name, TimeZoneId, CountingSeverityThreshold, IsDemo, CreatedAt)
                VALUES ('load', 'Load', 'Etc/UTC', 3, 0, '2026-01-01 00:00:00');
            INSERT INTO Services (TeamId, Slug, Name) VALUES (last_insert_rowid(), 'load-api', 'load-api');
            INSERT INTO Environments
                (ServiceId, Name, "Order", IsProduction, PromotionMode, PromotionModeChangedAt, ConcurrencyStamp)
                VALUES (last_insert_rowid(), 'staging', 0, 0, 'Manual', '2026-01-01 00:00:00',
                        '00000000-0000-0000-0000-000000000001');
            """;
        command.ExecuteNonQuery();
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Web);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ReleaseBoard"] = $"Data Source={Database}";
        start.Environment["DemoData__SeedOnEmptyDatabase"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return start;
    }

    private async Task WaitUntilUpAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("The app did not start.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_server is not null)
            StopAsync().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

internal static class Measurements
{
    /// <summary>The nearest-rank percentile of values sorted ascending (p between 0 and 1).</summary>
    public static double Percentile(this List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
