using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// Backups and moves, run as an operator runs them (the command line, as a separate process) against a running app:
/// a backup under write load holds every acknowledged event and opens as a working database; an export imported into
/// an empty database exports the same again, row for row.
/// </summary>
public sealed class DataSafetyTests : IDisposable
{
    private readonly string _folder = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "releaseboard-data-safety", Guid.NewGuid().ToString("N")))
        .FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }

    private string Database(string name) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, name) }.ToString();

    private static async Task<(int Exit, string Out, string Err)> CommandAsync(
        string connectionString,
        params string[] args
    )
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ReleaseBoard.Web.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ReleaseBoard"] = connectionString;
        start.Environment["DemoData__SeedOnEmptyDatabase"] = "false";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task A_backup_under_write_load_holds_every_event_acknowledged_before_it_and_opens()
    {
        var live = Database("live.db");
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = live }
        );
        var (_, key) = await app.AddTeamWithKeyAsync("busy");
        var acknowledged = new ConcurrentDictionary<string, DateTime>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable
            .Range(0, 4)
            .Select(writer =>
                Task.Run(async () =>
                {
                    using var client = app.CreateApiClient(key);
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var id = $"w{writer}-{i}";
                        var response = await client.PostAsJsonAsync(
                            "/api/v1/catches",
                            new
                            {
                                service = "busy",
                                environment = "staging",
                                severity = 3,
                                title = $"Catch {id}",
                                caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                                reportedBy = "load",
                                source = "load",
                                externalId = id,
                            },
                            CancellationToken.None
                        );
                        if (response.StatusCode == HttpStatusCode.Created)
                            acknowledged[id] = DateTime.UtcNow;
                    }
                })
            )
            .ToList();
        await Task.Delay(1000, Ct);

        var backupStarted = DateTime.UtcNow;
        var backupFile = Path.Combine(_folder, "backup.db");
        var backup = await CommandAsync(live, "backup", "--to", backupFile);
        await Task.Delay(300, Ct); // writes go on after the backup too
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(backup.Exit == 0, backup.Err);
        Assert.Equal(backupFile, backup.Out.Trim());
        // It holds password and key hashes and the Data Protection keys: readable by its owner only, whatever the
        // umask.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(backupFile));
        var before = acknowledged.Where(a => a.Value < backupStarted).Select(a => a.Key).ToHashSet();
        Assert.True(before.Count > 20, $"only {before.Count} writes before the backup: no load to speak of");
        Assert.True(acknowledged.Count > before.Count, "no writes during or after the backup");

        // The backup is a database of its own (one file, not in WAL mode) that the app opens, migrates nothing on and
        // serves.
        await using var restored = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = Database("backup.db") }
        );
        Assert.Equal(HttpStatusCode.OK, (await restored.CreateClient().GetAsync("/readyz", Ct)).StatusCode);
        await using var db = await restored
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        var inBackup = (await db.Catches.Select(c => c.ExternalId!).ToListAsync(Ct)).ToHashSet();
        Assert.Empty(before.Except(inBackup)); // every event acknowledged before the backup began is in it
        Assert.Subset(acknowledged.Keys.ToHashSet(), inBackup); // and nothing that was never written
    }

    // The suite runs on Linux; elsewhere there is no Unix mode to check.
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path);

    [Fact]
    public async Task A_backup_never_overwrites_a_file_and_says_why()
    {
        var live = Database("live.db");
        await using (
            var app = new ReleaseBoardAppFactory(
                settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = live }
            )
        )
            _ = app.Services;
        var existing = Path.Combine(_folder, "existing.db");
        await File.WriteAllTextAsync(existing, "keep me", Ct);

        var refused = await CommandAsync(live, "backup", "--to", existing);

        Assert.Equal(1, refused.Exit);
        Assert.Contains("never overwrites", refused.Err);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, Ct));
    }

    [Fact]
    public async Task An_export_imported_into_an_empty_database_exports_the_same_again_row_for_row()
    {
        var source = Database("source.db");
        await using (
            var app = new ReleaseBoardAppFactory(
                seedDemoData: true,
                settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = source }
            )
        )
        {
            // Beyond the demo: people, a key, a display link and a promotion request, so every kind of table has rows.
            await app
                .Services.GetRequiredService<UserAdministration>()
                .CreateAsync("ada@example.test", Roles.Approver, "a long enough passphrase", AuditActor.System);
            await app.AddTeamWithKeyAsync("extra");
            await app
                .Services.GetRequiredService<DisplayLinkService>()
                .CreateAsync(["extra"], TimeSpan.FromSeconds(30), WallTheme.Dark, AuditActor.System, Ct);
            await using var db = await app
                .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                .CreateDbContextAsync(Ct);
            var production = await db.Environments.FirstAsync(
                e => e.Service.Team.Slug == "extra" && e.IsProduction,
                Ct
            );
            Assert.IsType<PromotionOutcome.Done>(
                await app
                    .Services.GetRequiredService<PromotionService>()
                    .RequestContinuousAsync(
                        production.Id,
                        production.ConcurrencyStamp,
                        AuditActor.User("ada@example.test", "ada@example.test"),
                        "ready",
                        Ct
                    )
            );
        }
        var first = Path.Combine(_folder, "first.json");
        var exported = await CommandAsync(source, "export", "--to", first);
        Assert.True(exported.Exit == 0, exported.Err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(first));

        var target = Database("target.db");
        var imported = await CommandAsync(target, "import", "--from", first);
        Assert.True(imported.Exit == 0, imported.Err);
        var second = Path.Combine(_folder, "second.json");
        Assert.Equal(0, (await CommandAsync(target, "export", "--to", second)).Exit);

        using var a = JsonDocument.Parse(await File.ReadAllTextAsync(first, Ct));
        using var b = JsonDocument.Parse(await File.ReadAllTextAsync(second, Ct));
        var tables = a.RootElement.GetProperty("tables").EnumerateObject().ToList();
        foreach (
            var name in new[]
            {
                "Teams",
                "Deployments",
                "Incidents",
                "Catches",
                "AuditEntries",
                "AspNetUsers",
                "AspNetUserRoles",
                "ApiKeys",
                "DisplayLinks",
                "PromotionRequests",
                "DataProtectionKeys",
            }
        )
            Assert.True(tables.Single(t => t.Name == name).Value.GetArrayLength() > 0, $"{name} has no rows to move");
        // Deployments and incidents name each other (a fix, a cause): the move keeps both directions.
        Assert.Contains(tables.Single(t => t.Name == "Deployments").Value.EnumerateArray(), d =>
            d.GetProperty("FixesIncidentId").ValueKind == JsonValueKind.Number
        );
        foreach (var table in tables)
            Assert.True(
                table.Value.GetRawText() == b.RootElement.GetProperty("tables").GetProperty(table.Name).GetRawText(),
                $"{table.Name} differs after the move"
            );

        // And the moved database works: its demo wall reads as the source's did.
        await using var moved = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:ReleaseBoard"] = target,
                ["Access:AllowAnonymousViewing"] = "true",
            }
        );
        Assert.Contains("data-testid=\"days-since\"", await moved.CreateClient().GetStringAsync("/wall/payments", Ct));
    }

    [Fact]
    public async Task Import_refuses_a_database_with_data_and_a_file_that_is_not_an_export_and_stores_nothing()
    {
        var source = Database("source.db");
        await using (
            var app = new ReleaseBoardAppFactory(
                settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = source }
            )
        )
            await app.AddTeamWithKeyAsync("only");
        var file = Path.Combine(_folder, "export.json");
        Assert.Equal(0, (await CommandAsync(source, "export", "--to", file)).Exit);

        var intoItself = await CommandAsync(source, "import", "--from", file);
        var garbage = Path.Combine(_folder, "garbage.json");
        await File.WriteAllTextAsync(garbage, "{ \"teams\": [ ] }", Ct);
        var empty = Database("empty.db");
        var notAnExport = await CommandAsync(empty, "import", "--from", garbage);

        Assert.Equal(1, intoItself.Exit);
        Assert.Contains("not empty", intoItself.Err);
        Assert.Equal(1, notAnExport.Exit);
        Assert.Contains("not a ReleaseBoard export", notAnExport.Err);
        await using var connection = new SqliteConnection(empty + ";Pooling=false");
        await connection.OpenAsync(Ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM Teams";
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }
}
