using System.Net;
using Microsoft.Extensions.Options;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Features;

/// <summary>The app as a whole over HTTP: start-up, health, the prerendered wall, configuration errors.</summary>
public class AppHostTests
{
    [Fact]
    public async Task Health_answers_ok_while_the_process_serves()
    {
        await using var app = new ReleaseBoardAppFactory();

        var response = await app.CreateClient().GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Ready_says_so_only_while_every_migration_of_this_build_is_applied()
    {
        await using var app = new ReleaseBoardAppFactory();
        var client = app.CreateClient();
        var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);

        // As if the database were restored from a backup older than this build.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(app.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM __EFMigrationsHistory WHERE MigrationId LIKE '%_ChangeStamps'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }
        var behind = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        var live = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(
            (HttpStatusCode.OK, "ready"),
            (ready.StatusCode, await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
        );
        Assert.Equal(HttpStatusCode.ServiceUnavailable, behind.StatusCode);
        Assert.Contains("ChangeStamps", await behind.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // alive, just not ready
    }

    [Fact]
    public void Without_migrating_at_start_an_unmigrated_database_stops_the_start_with_what_to_run()
    {
        using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" }
        );

        var error = Assert.Throws<InvalidOperationException>(() => app.Server);

        Assert.Contains("Run the migrate command", error.Message);
        Assert.Contains("InitialCreate", error.Message);
    }

    [Fact]
    public async Task The_wall_is_served_prerendered_with_the_number_and_caption()
    {
        await using var app = new ReleaseBoardAppFactory(
            seedDemoData: true,
            new Dictionary<string, string?> { ["Access:AllowAnonymousViewing"] = "true" }
        );

        var html = await app.CreateClient().GetStringAsync("/wall/payments", TestContext.Current.CancellationToken);

        Assert.Contains("data-testid=\"days-since\"", html);
        Assert.Contains("since we were really glad we didn't deploy live", html);
        Assert.Contains("DEMO DATA", html);
        Assert.Contains("autostart=\"false\"", html); // started by kiosk.js with endless reconnection
        Assert.Contains("components-reconnect-modal", html);
    }

    [Fact]
    public async Task The_kiosk_script_and_the_pinned_chart_library_are_served()
    {
        await using var app = new ReleaseBoardAppFactory();
        var client = app.CreateClient();

        var kiosk = await client.GetStringAsync("/assets/kiosk.js", TestContext.Current.CancellationToken);
        var apexcharts = await client.GetStringAsync(
            "/lib/apexcharts/apexcharts.min.js",
            TestContext.Current.CancellationToken
        );

        Assert.Contains("reloadWhenServerAnswers", kiosk);
        Assert.Contains("4.7.0", apexcharts);
    }

    [Fact]
    public async Task Choosing_SQL_Server_without_a_connection_string_fails_at_start_with_a_clear_message()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["Database:Provider"] = "SqlServer",
                ["ConnectionStrings:ReleaseBoard"] = "",
            }
        );

        var error = Assert.Throws<OptionsValidationException>(() => app.Server);
        Assert.Contains("ConnectionStrings:ReleaseBoard is empty", error.Message);
    }
}
