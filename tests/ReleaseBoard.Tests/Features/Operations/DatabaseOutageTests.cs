using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// The database file made unavailable under a running app, then put back: API writes answer 503 with a retry hint and
/// store nothing; afterwards the app works again by itself, holding exactly the writes it acknowledged.
/// </summary>
public class DatabaseOutageTests : IAsyncLifetime
{
    private readonly string _folder = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "releaseboard-outage", Guid.NewGuid().ToString("N"), "data"))
        .Parent!.FullName;
    private ReleaseBoardAppFactory _app = null!;
    private string DataFolder => Path.Combine(_folder, "data");
    private string DatabaseFile => Path.Combine(DataFolder, "outage.db");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // No pooled connections: each operation opens the file afresh, so moving it away is felt at once, as a
        // database server going away would be.
        var connection = new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Pooling = false }.ToString();
        _app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = connection }
        );
        _ = _app.Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }

    /// <summary>
    /// Moves the database's folder (the file with its WAL, in one rename) aside: nothing can open the database, and
    /// SQLite does not create a missing folder, so no empty database appears in its place meanwhile.
    /// </summary>
    private void TakeAway() => Directory.Move(DataFolder, DataFolder + ".away");

    private void PutBack() => Directory.Move(DataFolder + ".away", DataFolder);

    [Fact]
    public async Task Writes_while_the_database_is_away_get_503_with_a_retry_hint_and_the_app_recovers_by_itself()
    {
        var (_, key) = await _app.AddTeamWithKeyAsync("outage");
        using var pipeline = _app.CreateApiClient(key);
        object Catch(string id) =>
            new
            {
                service = "outage",
                environment = "staging",
                severity = 2,
                title = $"Catch {id}",
                caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                reportedBy = "qa",
                source = "qa",
                externalId = id,
            };

        Assert.Equal(
            HttpStatusCode.Created,
            (await pipeline.PostAsJsonAsync("/api/v1/catches", Catch("before"), Ct)).StatusCode
        );
        TakeAway();
        HttpResponseMessage during;
        try
        {
            during = await pipeline.PostAsJsonAsync("/api/v1/catches", Catch("during"), Ct);
        }
        finally
        {
            PutBack();
        }
        var after = await pipeline.PostAsJsonAsync("/api/v1/catches", Catch("after"), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Nothing of this request was stored", await during.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        await using var check = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        Assert.Equal(
            ["after", "before"],
            await check.Catches.OrderBy(c => c.ExternalId).Select(c => c.ExternalId!).ToListAsync(Ct)
        );
    }

    [Fact]
    public void Only_a_database_that_is_away_counts_as_an_outage_not_a_request_the_database_refuses()
    {
        Assert.True(
            DatabaseOutage.IsUnavailable(
                new InvalidOperationException("wrapped", new SqliteException("unable to open database file", 14))
            )
        );
        Assert.True(DatabaseOutage.IsUnavailable(new SqliteException("database is locked", 5)));
        Assert.False(
            DatabaseOutage.IsUnavailable(
                new DbUpdateException("constraint", new SqliteException("UNIQUE constraint failed", 19))
            )
        );
        Assert.False(DatabaseOutage.IsUnavailable(new InvalidOperationException("a bug")));
    }
}
