using Microsoft.Data.Sqlite;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// The operator commands, run as an operator would: the built app as a separate process, on a brand-new database.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "releaseboard-cli-tests",
        Guid.NewGuid().ToString("N")
    );
    private string DatabasePath => Path.Combine(_folder, "cli.db");

    public CommandLineTests() => Directory.CreateDirectory(_folder);

    private Task<(int Exit, string Out, string Err)> RunAsync(string? input, params string[] args) =>
        CommandLineRun.RunAsync($"Data Source={DatabasePath}", _folder, input, args);

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void AddTeams(params string[] slugs)
    {
        foreach (var slug in slugs)
            Scalar(
                $"INSERT INTO Teams (Slug, Name, TimeZoneId, CountingSeverityThreshold, IsDemo, CreatedAt) VALUES "
                    + $"('{slug}', '{slug}', 'Etc/UTC', 3, 0, '2026-01-01 00:00:00')"
            );
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("users", "--help")]
    [InlineData("users", "create", "--help")]
    [InlineData("users", "reset-password", "--help")]
    [InlineData("apikeys", "create", "--help")]
    [InlineData("apikeys", "revoke", "--help")]
    [InlineData("displaylinks", "create", "--help")]
    [InlineData("webhooks", "add", "--help")]
    [InlineData("windows", "add", "--help")]
    [InlineData("freezes", "add", "--help")]
    [InlineData("displaylinks", "revoke", "--help")]
    [InlineData("migrate", "--help")]
    [InlineData("demo", "clear", "--help")]
    public async Task Every_level_has_help(params string[] args)
    {
        var (exit, output, _) = await RunAsync(null, args);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
    }

    [Theory]
    [InlineData("--role", "users", "create", "--email", "a@example.test")]
    [InlineData("Boss", "users", "create", "--email", "a@example.test", "--role", "Boss")]
    [InlineData("frobnicate", "users", "frobnicate")]
    [InlineData("apikey", "apikey", "create", "--name", "x")]
    [InlineData("Choose the team", "apikeys", "create", "--name", "x", "--team", "")]
    [InlineData("--all-teams", "apikeys", "create", "--name", "x")]
    [InlineData("not both", "apikeys", "create", "--name", "x", "--team", "alpha", "--all-teams")]
    [InlineData("--every", "displaylinks", "create", "--team", "alpha", "--every", "soon")]
    [InlineData("--id", "displaylinks", "revoke", "--id", "seven")]
    public async Task Bad_arguments_get_a_clear_message_and_a_non_zero_exit(string mentioned, params string[] args)
    {
        var (exit, output, error) = await RunAsync(null, args);

        Assert.NotEqual(0, exit);
        Assert.Contains(mentioned, error + output);
    }

    [Fact]
    public async Task Users_are_created_on_a_brand_new_database_with_the_password_from_standard_input()
    {
        var (exit, output, error) = await RunAsync(
            "a long enough passphrase",
            "users",
            "create",
            "--email",
            "root@example.test",
            "--role",
            "admin"
        );

        Assert.True(exit == 0, error);
        Assert.Equal("", output);
        Assert.Equal(
            "Admin",
            Scalar(
                "SELECT r.Name FROM AspNetUsers u JOIN AspNetUserRoles ur ON ur.UserId = u.Id JOIN AspNetRoles r ON "
                    + "r.Id = ur.RoleId WHERE u.Email = 'root@example.test'"
            )
        );
        Assert.DoesNotContain(
            "a long enough passphrase",
            string.Concat(Directory.GetFiles(_folder).Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)))
        );

        var tooShort = await RunAsync("short", "users", "create", "--email", "ben@example.test", "--role", "Viewer");
        Assert.Equal(1, tooShort.Exit);
        Assert.Contains("at least 12 characters", tooShort.Err);

        var reset = await RunAsync(
            "another long passphrase",
            "users",
            "reset-password",
            "--email",
            "root@example.test"
        );
        Assert.True(reset.Exit == 0, reset.Err);
    }

    [Fact]
    public async Task An_api_key_is_printed_once_alone_on_standard_output_and_stored_as_a_hash()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");

        var (exit, output, error) = await RunAsync(null, "apikeys", "create", "--name", "alpha-ci", "--team", "alpha");

        Assert.True(exit == 0, error);
        var key = output.TrimEnd('\n');
        Assert.Matches("^rbk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(SecretToken.Hash(key), Scalar("SELECT KeyHash FROM ApiKeys WHERE Name = 'alpha-ci'"));
        Assert.Equal(0, (await RunAsync(null, "apikeys", "revoke", "--name", "alpha-ci")).Exit);
        Assert.NotNull(Scalar("SELECT RevokedAt FROM ApiKeys WHERE Name = 'alpha-ci'"));

        var again = await RunAsync(null, "apikeys", "revoke", "--name", "alpha-ci");
        Assert.Equal(1, again.Exit);
        Assert.Contains("revoked already", again.Err);
        var unknownTeam = await RunAsync(null, "apikeys", "create", "--name", "x", "--team", "nope");
        Assert.Equal(1, unknownTeam.Exit);
        Assert.Equal("", unknownTeam.Out);

        // Every team only when asked for by name, never as the default of a forgotten --team.
        var noTeam = await RunAsync(null, "apikeys", "create", "--name", "platform-ci");
        Assert.Equal((1, ""), (noTeam.Exit, noTeam.Out));
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM ApiKeys WHERE Name = 'platform-ci'"));
        var allTeams = await RunAsync(null, "apikeys", "create", "--name", "platform-ci", "--all-teams");
        Assert.True(allTeams.Exit == 0, allTeams.Err);
        Assert.Equal(DBNull.Value, Scalar("SELECT TeamId FROM ApiKeys WHERE Name = 'platform-ci'"));
    }

    [Fact]
    public async Task A_webhook_secret_is_bound_to_its_owner_printed_once_when_generated_and_stored_protected()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");

        var generated = await RunAsync(null, "webhooks", "add", "--tool", "github", "--team", "alpha", "--generate");
        Assert.True(generated.Exit == 0, generated.Err);
        Assert.Matches("^rbw_[A-Za-z0-9_-]{43}$", generated.Out.TrimEnd('\n'));
        var pasted = await RunAsync(
            "the secret pagerduty made for us",
            "webhooks",
            "add",
            "--tool",
            "pagerduty",
            "--team",
            "alpha"
        );
        Assert.True(pasted.Exit == 0, pasted.Err);
        Assert.Equal("", pasted.Out);
        var stored = string.Join("|", Scalar("SELECT group_concat(ProtectedSecret, '|') FROM WebhookSecrets"));
        Assert.DoesNotContain("pagerduty made", stored);
        Assert.DoesNotContain(generated.Out.TrimEnd('\n'), stored);

        var list = await RunAsync(null, "webhooks", "list");
        Assert.Contains("GitHub\tteam alpha\tactive", list.Out);
        Assert.Equal(0, (await RunAsync(null, "webhooks", "revoke", "--id", "1")).Exit);
        Assert.Contains("GitHub\tteam alpha\trevoked", (await RunAsync(null, "webhooks", "list")).Out);
        var bothScopes = await RunAsync(
            null,
            "webhooks",
            "add",
            "--tool",
            "github",
            "--team",
            "alpha",
            "--repository",
            "acme/x",
            "--generate"
        );
        Assert.Equal((1, ""), (bothScopes.Exit, bothScopes.Out));
        Assert.Contains("one repository (owner/name) or one team", bothScopes.Err);
    }

    [Fact]
    public async Task A_display_link_prints_only_its_path_and_can_rotate_and_be_revoked()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha", "beta");

        var (exit, output, error) = await RunAsync(
            null,
            "displaylinks",
            "create",
            "--team",
            "alpha",
            "--team",
            "beta",
            "--every",
            "2m"
        );

        Assert.True(exit == 0, error);
        Assert.Matches("^/display#rbd_[A-Za-z0-9_-]{43}$", output.TrimEnd('\n'));
        Assert.Equal(120L, Scalar("SELECT RotateEverySeconds FROM DisplayLinks"));
        Assert.Equal(2L, Scalar("SELECT COUNT(*) FROM DisplayLinkTeams"));
        var id = Convert.ToInt32(
            Scalar("SELECT Id FROM DisplayLinks"),
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.Equal(
            0,
            (
                await RunAsync(
                    null,
                    "displaylinks",
                    "revoke",
                    "--id",
                    id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                )
            ).Exit
        );
        Assert.NotNull(Scalar("SELECT RevokedAt FROM DisplayLinks"));
    }

    [Fact]
    public async Task A_catalog_file_applies_on_a_brand_new_database_and_again_changes_nothing()
    {
        var file = Path.Combine(_folder, "catalog.json");
        await File.WriteAllTextAsync(
            file,
            """
            { "teams": [ { "slug": "payments", "name": "Payments", "timeZone": "Europe/Berlin",
              "services": [ { "slug": "payments-api", "repository": "acme/payments-api",
                "environments": [ { "name": "staging" }, { "name": "production", "isProduction": true } ] } ] } ] }
            """,
            TestContext.Current.CancellationToken
        );

        var first = await RunAsync(null, "catalog", "apply", "--from", file);
        var second = await RunAsync(null, "catalog", "apply", "--from", file);

        Assert.True(first.Exit == 0, first.Err);
        Assert.Equal(
            4,
            System.Text.Json.JsonDocument.Parse(first.Out).RootElement.GetProperty("created").GetArrayLength()
        );
        Assert.Equal(
            4,
            System.Text.Json.JsonDocument.Parse(second.Out).RootElement.GetProperty("unchanged").GetInt32()
        );
        Assert.Equal(2L, Scalar("SELECT RequiredApprovals FROM Environments WHERE IsProduction = 1"));
        var exported = await RunAsync(null, "catalog", "export");
        Assert.Contains("acme/payments-api", exported.Out);

        await File.WriteAllTextAsync(
            file,
            """{ "teams": [ { "slug": "Bad Slug", "name": "x", "timeZone": "Europe/Berlin", "services": [] } ] }""",
            TestContext.Current.CancellationToken
        );
        var bad = await RunAsync(null, "catalog", "apply", "--from", file);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("teams[0].slug", bad.Out);
    }

    [Fact]
    public async Task A_CSV_import_is_all_or_nothing_on_the_command_line()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");
        Scalar("INSERT INTO Services (TeamId, Slug, Name) VALUES (1, 'api', 'api')");
        Scalar(
            "INSERT INTO Environments (ServiceId, Name, \"Order\", IsProduction, PromotionMode, "
                + "PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes) VALUES (1, 'staging', 0, "
                + "0, 'Manual', '2026-01-01 00:00:00', '00000000-0000-0000-0000-000000000001', 1, 0)"
        );
        var good = Path.Combine(_folder, "good.csv");
        var bad = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(
            good,
            "service,environment,severity,title,caughtAt,reportedBy\napi,staging,2,Found it,2026-03-01T09:00:00Z,Ana\n",
            TestContext.Current.CancellationToken
        );
        await File.WriteAllTextAsync(
            bad,
            "service,environment,severity,title,caughtAt,reportedBy\n"
                + "api,staging,2,Fine,2026-03-01T09:00:00Z,Ana\napi,staging,9,Bad,2026-03-01T09:00:00Z,Ana\n",
            TestContext.Current.CancellationToken
        );

        var refused = await RunAsync(null, "import", "catches", "--from", bad);
        var imported = await RunAsync(null, "import", "catches", "--from", good);

        Assert.Equal(1, refused.Exit);
        Assert.Contains("\"line\": 3", refused.Out);
        Assert.True(imported.Exit == 0, imported.Err);
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM Catches"));
    }

    // The command line composes its own services: the pause when a failure opens must be among them.
    [Fact]
    public async Task An_imported_open_failure_pauses_continuous_promotion_on_the_command_line_too()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");
        Scalar("INSERT INTO Services (TeamId, Slug, Name) VALUES (1, 'api', 'api')");
        Scalar(
            "INSERT INTO Environments (ServiceId, Name, \"Order\", IsProduction, PromotionMode, "
                + "PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes) VALUES (1, 'production', "
                + "0, 1, 'Continuous', '2026-01-01 00:00:00', '00000000-0000-0000-0000-000000000001', 2, 30)"
        );
        var file = Path.Combine(_folder, "incidents.csv");
        await File.WriteAllTextAsync(
            file,
            "service,severity,title,startedAt\napi,1,Checkout down,2026-03-01T09:00:00Z\n",
            TestContext.Current.CancellationToken
        );

        var imported = await RunAsync(null, "import", "incidents", "--from", file);

        Assert.True(imported.Exit == 0, imported.Err + imported.Out);
        Assert.Equal("Paused", Scalar("SELECT PromotionMode FROM Environments WHERE Name = 'production'"));
    }

    [Fact]
    public async Task Windows_and_freezes_are_set_listed_and_removed_by_an_operator_each_change_audited()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        Scalar(
            "INSERT INTO Teams (Slug, Name, TimeZoneId, CountingSeverityThreshold, IsDemo, CreatedAt) VALUES "
                + "('alpha', 'Alpha', 'Europe/Berlin', 3, 0, '2026-01-01 00:00:00')"
        );
        Scalar("INSERT INTO Services (TeamId, Slug, Name) VALUES (1, 'api', 'api')");
        Scalar(
            "INSERT INTO Environments (ServiceId, Name, \"Order\", IsProduction, PromotionMode, "
                + "PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes) VALUES (1, 'production', "
                + "0, 1, 'Manual', '2026-01-01 00:00:00', '00000000-0000-0000-0000-000000000001', 2, 30)"
        );
        string[] where = ["--team", "alpha", "--service", "api", "--environment", "production"];

        var bad = await RunAsync(null, ["windows", "add", .. where, "--allow", "Mon-Thu 9-16"]);
        var added = await RunAsync(null, ["windows", "add", .. where, "--allow", "Mon-Thu 09:00-16:00"]);
        var listed = await RunAsync(null, "windows", "list");
        var freeze = await RunAsync(
            null,
            "freezes",
            "add",
            "--team",
            "alpha",
            "--from",
            "2099-01-05T09:00",
            "--to",
            "2099-01-05T12:00",
            "--reason",
            "ledger migration"
        );
        var freezes = await RunAsync(null, "freezes", "list");
        var cancelled = await RunAsync(null, "freezes", "cancel", "--id", freeze.Out.Trim());
        var removed = await RunAsync(null, "windows", "remove", "--id", added.Out.Trim());

        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("not a window", bad.Err);
        Assert.True(added.Exit == 0, added.Err);
        Assert.Contains("alpha/api/production\tallow\tMon-Thu 09:00-16:00", listed.Out);
        Assert.True(freeze.Exit == 0, freeze.Err);
        // 09:00 in Berlin in January is 08:00 UTC.
        Assert.Contains("team alpha\t2099-01-05 08:00:00Z\t2099-01-05 11:00:00Z\tledger migration", freezes.Out);
        Assert.Equal(0, cancelled.Exit);
        Assert.Equal(0, removed.Exit);
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM PromotionWindows"));
        Assert.Equal(
            "window.added,freeze.scheduled,freeze.cancelled,window.removed",
            Scalar("SELECT group_concat(Action, ',') FROM (SELECT Action FROM AuditEntries ORDER BY Id)")
        );
    }

    [Fact]
    public async Task A_dispatch_target_is_set_with_a_secret_printed_once_and_stored_protected()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");
        Scalar("INSERT INTO Services (TeamId, Slug, Name) VALUES (1, 'api', 'api')");
        Scalar(
            "INSERT INTO Environments (ServiceId, Name, \"Order\", IsProduction, PromotionMode, "
                + "PromotionModeChangedAt, ConcurrencyStamp, RequiredApprovals, SoakMinutes) VALUES (1, 'production', "
                + "0, 1, 'Manual', '2026-01-01 00:00:00', '00000000-0000-0000-0000-000000000001', 2, 30)"
        );
        string[] where = ["--team", "alpha", "--service", "api", "--environment", "production"];

        var bad = await RunAsync(
            null,
            ["dispatch", "set", .. where, "--url", "ftp://deploy.example.test", "--generate"]
        );
        var set = await RunAsync(
            null,
            ["dispatch", "set", .. where, "--url", "https://deploy.example.test/hook", "--generate"]
        );
        var listed = await RunAsync(null, "dispatch", "list");
        var stored = (string)Scalar("SELECT ProtectedSecret FROM PromotionActions")!;
        var github = await RunAsync(
            null,
            ["dispatch", "set", .. where, "--kind", "github", "--repository", "acme/api", "--workflow", "deploy.yml"]
        );
        string[] githubTarget = ["--kind", "github", "--repository", "acme/api", "--workflow", "deploy.yml"];
        var githubWithRef = await RunAsync(null, ["dispatch", "set", .. where, .. githubTarget, "--ref", "main"]);
        var relisted = await RunAsync(null, "dispatch", "list");

        Assert.NotEqual(0, github.Exit);
        Assert.Contains("branch or tag", github.Err);
        Assert.True(githubWithRef.Exit == 0, githubWithRef.Err);
        Assert.Equal("alpha/api/production\tGitHub acme/api deploy.yml on main", relisted.Out.Trim());
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("absolute http(s) address", bad.Err);
        Assert.True(set.Exit == 0, set.Err);
        var secret = set.Out.Trim();
        Assert.StartsWith("rbs_", secret);
        Assert.Equal("alpha/api/production\tHttp https://deploy.example.test/…", listed.Out.Trim());
        Assert.DoesNotContain(secret, listed.Out);
        Assert.DoesNotContain(secret, stored);
        Assert.True(stored.Length > secret.Length, "the protected secret is stored");
        Assert.Equal(2L, Scalar("SELECT COUNT(*) FROM AuditEntries WHERE Action = 'dispatch.target-set'"));
    }

    [Fact]
    public async Task A_notification_target_takes_its_address_from_standard_input_and_sends_a_test()
    {
        await using var receiver = await ReleaseBoard.Tests.Features.Dispatch.LoopbackReceiver.StartAsync();
        Assert.Equal(0, (await RunAsync(null, "migrate")).Exit);
        AddTeams("alpha");
        var address = $"{receiver.BaseUrl}/services/T0/B0/sekrit-token";

        var unknown = await RunAsync(address, "notify", "add", "--kind", "slack", "--name", "#a", "--team", "nope");
        var badEvent = await RunAsync(address, "notify", "add", "--kind", "slack", "--name", "#a", "--events", "x");
        var added = await RunAsync(
            address,
            ["notify", "add", "--kind", "slack", "--name", "#alpha", "--team", "alpha", "--events", "stop-the-line"]
        );
        var json = await RunAsync(address, "notify", "add", "--kind", "json", "--name", "#all");
        var listed = await RunAsync(null, "notify", "list");
        var tested = await RunAsync(null, "notify", "test", "--id", "1");
        var removed = await RunAsync(null, "notify", "remove", "--id", "2");

        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("no team \"nope\"", unknown.Err);
        Assert.NotEqual(0, badEvent.Exit);
        Assert.Contains("\"x\" is not an event", badEvent.Err);
        Assert.True(added.Exit == 0, added.Err);
        Assert.Equal("", added.Out.Trim());
        Assert.StartsWith("rbn_", json.Out.Trim());
        Assert.Equal(
            [
                $"1\t#alpha\tSlack\talpha\t{receiver.BaseUrl}/…\tstop-the-line",
                $"2\t#all\tJson\tevery team\t{receiver.BaseUrl}/…\tall",
            ],
            listed.Out.Trim().Split('\n')
        );
        Assert.True(tested.Exit == 0, tested.Err);
        Assert.Contains("answered HTTP 200", tested.Err);
        // The address holds the token: no log line of the send may name it.
        Assert.DoesNotContain("sekrit-token", tested.Err + tested.Out + added.Err + listed.Out);
        Assert.Equal("/services/T0/B0/sekrit-token", Assert.Single(receiver.Requests).Path);
        Assert.True(removed.Exit == 0, removed.Err);
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM NotificationTargets"));
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM NotificationTargets WHERE ProtectedUrl LIKE '%sekrit%'"));
        Assert.Equal(
            "notification.target-added,notification.target-added,notification.tested,notification.target-removed",
            Scalar("SELECT group_concat(Action, ',') FROM (SELECT Action FROM AuditEntries ORDER BY Id)")
        );
    }

    [Fact]
    public async Task Demo_clear_works_on_a_brand_new_database()
    {
        var (exit, _, error) = await RunAsync(null, "demo", "clear");

        Assert.True(exit == 0, error);
        Assert.Equal("demo-data.removed", Scalar("SELECT Action FROM AuditEntries"));
    }

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
}
