using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ReleaseBoard.Tests.Support;

/// <summary>The whole app in memory, on its own SQLite file; demo data only when a test asks for it.</summary>
public sealed class ReleaseBoardAppFactory(bool seedDemoData = false, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "releaseboard-tests", Guid.NewGuid().ToString("N"));

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "app.db") }.ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:ReleaseBoard", ConnectionString);
        builder.UseSetting("DemoData:SeedOnEmptyDatabase", seedDemoData ? "true" : "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(CapturingLoggerProvider.Shared));
    }

    /// <summary>A client that calls the API as a pipeline does: with the key as a bearer token (none: anonymous), no redirects followed.</summary>
    public HttpClient CreateApiClient(string? key)
    {
        var client = CreateClient(new() { AllowAutoRedirect = false });
        if (key is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
