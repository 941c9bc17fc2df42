using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReleaseBoard.Data;

namespace ReleaseBoard.Tests.Support;

/// <summary>The whole app in memory, on its own SQLite file; demo data only when a test asks for it.</summary>
public sealed class ReleaseBoardAppFactory : WebApplicationFactory<Program>
{
    private readonly bool seedDemoData;
    private readonly IReadOnlyDictionary<string, string?>? settings;

    public ReleaseBoardAppFactory(bool seedDemoData = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        (this.seedDemoData, this.settings) = (seedDemoData, settings);
        ClientOptions.BaseAddress = Https;
    }

    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "releaseboard-tests",
        Guid.NewGuid().ToString("N")
    );

    /// <summary>
    /// Clients speak HTTPS, as browsers do to ReleaseBoard behind its proxy: outside Development every cookie is
    /// Secure, and a cookie store never sends a Secure cookie over plain HTTP.
    /// </summary>
    public static readonly Uri Https = new("https://localhost");

    /// <summary>A client over HTTPS that leaves redirects to the test, keeping cookies or not.</summary>
    public HttpClient NoRedirects(bool cookies = true) =>
        CreateClient(
            new()
            {
                BaseAddress = Https,
                AllowAutoRedirect = false,
                HandleCookies = cookies,
            }
        );

    /// <summary>What this app, and only this app, logged.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public string ConnectionString =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "app.db") }.ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:ReleaseBoard", ConnectionString);
        builder.UseSetting("DemoData:SeedOnEmptyDatabase", seedDemoData ? "true" : "false");
        // Every test client is one address here; the limit itself has a test of its own.
        builder.UseSetting("Access:SignInAttemptsPerMinute", "100000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>
    /// A client that calls the API as a pipeline does: with the key as a bearer token (none: anonymous), no redirects
    /// followed.
    /// </summary>
    public HttpClient CreateApiClient(string? key)
    {
        var client = NoRedirects();
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Bearer",
                key
            );
        return client;
    }

    /// <summary>
    /// A team of its own with one service (same slug) in staging → production, and an API key for it: the usual
    /// ground for a test that feeds the API. Returns the production environment's id and the key.
    /// </summary>
    public async Task<(int ProductionId, string Key)> AddTeamWithKeyAsync(
        string slug,
        ReleaseBoard.Data.Entities.PromotionMode production = ReleaseBoard.Data.Entities.PromotionMode.Manual
    )
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        await using var db = await Services
            .GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(ct);
        var service = new ReleaseBoard.Data.Entities.Service
        {
            Slug = slug,
            Name = slug,
            Team = new ReleaseBoard.Data.Entities.Team
            {
                Slug = slug,
                Name = slug,
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            },
        };
        var productionStage = new ReleaseBoard.Data.Entities.ServiceEnvironment
        {
            Name = "production",
            Order = 1,
            IsProduction = true,
            Service = service,
            PromotionMode = production,
        };
        db.AddRange(
            new ReleaseBoard.Data.Entities.ServiceEnvironment
            {
                Name = "staging",
                Order = 0,
                Service = service,
            },
            productionStage
        );
        await db.SaveChangesAsync(ct);
        var key = await Services
            .GetRequiredService<ReleaseBoard.Web.Features.Access.ApiKeyService>()
            .CreateAsync($"{slug}-ci", slug, false, ReleaseBoard.Web.Infrastructure.AuditActor.System, ct);
        return (productionStage.Id, key.Value!);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }
}
