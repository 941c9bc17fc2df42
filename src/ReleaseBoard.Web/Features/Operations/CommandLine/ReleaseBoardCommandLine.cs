using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Dispatch;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Notifications;
using ReleaseBoard.Web.Features.Operations.DataSafety;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Operations.CommandLine;

/// <summary>
/// Operator commands on the app's executable: each migrates first, does one thing and exits; standard output
/// carries only the result, so scripts can capture a key or a path.
/// </summary>
public static partial class ReleaseBoardCommandLine
{
    private static readonly string[] HelpWords = ["--help", "-h", "-?", "help"];

    private static readonly AuditActor CommandLineActor = AuditActor.CommandLine;

    /// <summary>
    /// True when the arguments ask for a command rather than for the web app: the web app takes only options
    /// (--urls, --Section:Key=value), so a first word that is not an option is a command, known or not.
    /// </summary>
    public static bool Handles(string[] args) =>
        args.Length > 0 && (!args[0].StartsWith('-') || HelpWords.Contains(args[0], StringComparer.Ordinal));

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var root = Build(input, output, error);
        // "help users create" is "users create --help".
        var parsed = root.Parse(args[0] == "help" ? [.. args[1..], "--help"] : args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static RootCommand Build(TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "ReleaseBoard. Without a command it serves the web app; with one it runs that command against the "
                + "configured "
                + "database (Database:Provider, ConnectionStrings:ReleaseBoard) and exits."
        );

        // users
        var email = new Option<string>("--email")
        {
            Description = "The user's email address (also the sign-in name).",
            Required = true,
        };
        var role = new Option<string>("--role")
        {
            Description = "Viewer, Approver or Admin (any case).",
            Required = true,
            HelpName = "Viewer|Approver|Admin",
        };
        role.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (Roles.Parse(value) is null)
                result.AddError($"'{value}' is not a role: use Viewer, Approver or Admin.");
        });
        var createUser = new Command("create", "Create a local user. The password is read from standard input.")
        {
            email,
            role,
        };
        createUser.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var password = ReadPassword(input, error);
                    var result = await services
                        .GetRequiredService<UserAdministration>()
                        .CreateAsync(parse.GetValue(email), parse.GetValue(role), password, CommandLineActor);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Created {parse.GetValue(email)} as {Roles.Parse(parse.GetValue(role))}.",
                        error
                    );
                }));
        var resetEmail = new Option<string>("--email") { Description = "The user's email address.", Required = true };
        var resetPassword = new Command(
            "reset-password",
            "Set a new password (read from standard input) and lift any lockout."
        )
        {
            resetEmail,
        };
        resetPassword.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var password = ReadPassword(input, error);
                    var result = await services
                        .GetRequiredService<UserAdministration>()
                        .ResetPasswordAsync(parse.GetValue(resetEmail), password, CommandLineActor);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Password reset for {parse.GetValue(resetEmail)}.",
                        error
                    );
                }));
        var roleEmail = new Option<string>("--email") { Description = "The user's email address.", Required = true };
        var newRole = new Option<string>("--role") { Description = "Viewer, Approver or Admin.", Required = true };
        var setRole = new Command(
            "set-role",
            "Give a user another role; their open pages and sessions follow within a second."
        )
        {
            roleEmail,
            newRole,
        };
        setRole.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<UserAdministration>()
                        .SetRoleAsync(parse.GetValue(roleEmail), parse.GetValue(newRole), CommandLineActor);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"{parse.GetValue(roleEmail)} is {Roles.Parse(parse.GetValue(newRole))} now.",
                        error
                    );
                }));
        Command Disabling(string name, bool disabled, string description)
        {
            var who = new Option<string>("--email") { Description = "The user's email address.", Required = true };
            var command = new Command(name, description) { who };
            command.SetAction((parse, ct) => WithServices(error, async services =>
                    {
                        var result = await services
                            .GetRequiredService<UserAdministration>()
                            .SetDisabledAsync(parse.GetValue(who), disabled, CommandLineActor);
                        return Report(result.Succeeded, result.Error, $"{parse.GetValue(who)} is {name}d.", error);
                    }));
            return command;
        }
        root.Subcommands.Add(
            new Command("users", "Local accounts.")
            {
                createUser,
                resetPassword,
                setRole,
                Disabling(
                    "disable",
                    true,
                    "Disable an account: it cannot sign in, and its open pages stop acting within a second."
                ),
                Disabling("enable", false, "Let a disabled account sign in again."),
            }
        );

        // apikeys
        var keyName = new Option<string>("--name")
        {
            Description = "A unique name, e.g. the pipeline's.",
            Required = true,
        };
        var keyTeam = new Option<string?>("--team") { Description = "The one team the key may act for (its slug)." };
        var keyAllTeams = new Option<bool>("--all-teams")
        {
            Description =
                "Instead of --team: a key that reads and writes every team (a platform pipeline, the catalog).",
        };
        var createKey = new Command(
            "create",
            "Create an API key and print it on standard output. It is shown this once only. Give --team or "
                + "--all-teams."
        )
        {
            keyName,
            keyTeam,
            keyAllTeams,
        };
        createKey.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<ApiKeyService>()
                        .CreateAsync(
                            parse.GetValue(keyName),
                            parse.GetValue(keyTeam),
                            parse.GetValue(keyAllTeams),
                            CommandLineActor,
                            ct
                        );
                    if (result.Succeeded)
                        output.WriteLine(result.Value);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Created API key \"{parse.GetValue(keyName)}\". Store it now: it cannot be shown again.",
                        error
                    );
                }));
        var revokeName = new Option<string>("--name") { Description = "The key's name.", Required = true };
        var revokeKey = new Command(
            "revoke",
            "Revoke an API key. A running server notices within 15 s (revoking on the admin page takes effect at once)."
        )
        {
            revokeName,
        };
        revokeKey.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<ApiKeyService>()
                        .RevokeAsync(parse.GetValue(revokeName), CommandLineActor, ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Revoked API key \"{parse.GetValue(revokeName)}\".",
                        error
                    );
                }));
        root.Subcommands.Add(
            new Command("apikeys", "API keys for pipelines and incident tools.") { createKey, revokeKey }
        );

        // webhooks
        root.Subcommands.Add(WebhookCommands(input, output, error));
        root.Subcommands.Add(WindowCommands(output, error));
        root.Subcommands.Add(FreezeCommands(output, error));
        root.Subcommands.Add(DispatchCommands(input, output, error));
        root.Subcommands.Add(NotifyCommands(input, output, error));
        root.Subcommands.Add(OutboxCommands(output, error));

        // displaylinks
        var linkTeams = new Option<string[]>("--team")
        {
            Description = "A team to show (slug); repeat for a rotation.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var every = new Option<string>("--every")
        {
            Description = "With several teams, how long each is shown: 30s, 2m, 1h.",
            DefaultValueFactory = _ => "30s",
        };
        var linkTheme = new Option<string>("--theme")
        {
            Description = "dark (a dim room, the default) or light (a bright room).",
            DefaultValueFactory = _ => "dark",
        };
        var createLink = new Command(
            "create",
            "Create a display link and print its address (/display#…). It is shown this once only."
        )
        {
            linkTeams,
            every,
            linkTheme,
        };
        createLink.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    if (!TryParseDuration(parse.GetValue(every), out var rotateEvery))
                        return Report(
                            false,
                            $"--every takes a duration such as 30s, 2m or 1h, not \"{parse.GetValue(every)}\".",
                            null,
                            error
                        );
                    if (WallThemes.Parse(parse.GetValue(linkTheme)) is not { } theme)
                        return Report(
                            false,
                            $"--theme takes dark or light, not \"{parse.GetValue(linkTheme)}\".",
                            null,
                            error
                        );
                    var result = await services
                        .GetRequiredService<DisplayLinkService>()
                        .CreateAsync(parse.GetValue(linkTeams) ?? [], rotateEvery, theme, CommandLineActor, ct);
                    // The whole address when Transport:PublicBaseUrl says where people reach ReleaseBoard; else the
                    // path.
                    var publicBase = services
                        .GetRequiredService<Microsoft.Extensions.Options.IOptions<TransportOptions>>()
                        .Value.PublicBase;
                    if (result.Succeeded)
                        output.WriteLine(
                            publicBase is null ? result.Value : new Uri(publicBase, result.Value!).ToString()
                        );
                    return Report(
                        result.Succeeded,
                        result.Error,
                        "Created a display link. Open it on the TV; it cannot be shown again.",
                        error
                    );
                }));
        var linkId = new Option<int>("--id")
        {
            Description = "The link's id, as the admin page lists it.",
            Required = true,
        };
        var revokeLink = new Command("revoke", "Revoke a display link; TVs showing it stop within a minute.")
        {
            linkId,
        };
        revokeLink.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<DisplayLinkService>()
                        .RevokeAsync(parse.GetValue(linkId), CommandLineActor, ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Revoked display link {parse.GetValue(linkId)}.",
                        error
                    );
                }));
        root.Subcommands.Add(
            new Command("displaylinks", "Sign-in-free links that show walls on TVs.") { createLink, revokeLink }
        );

        // catalog
        var from = new Option<FileInfo>("--from") { Description = "The catalog JSON file.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would change; change nothing." };
        var applyCatalog = new Command(
            "apply",
            "Create and update teams, services and environments from a JSON file. Prints the report; deletions are "
                + "reported, never performed."
        )
        {
            from,
            dryRun,
        };
        applyCatalog.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var file = parse.GetValue(from)!;
                    if (!file.Exists)
                        return Report(false, $"There is no file {file.FullName}.", null, error);
                    Catalog.CatalogDocument? document;
                    try
                    {
                        await using var stream = file.OpenRead();
                        document = await System.Text.Json.JsonSerializer.DeserializeAsync<Catalog.CatalogDocument>(
                            stream,
                            ReleaseBoard.Web.Api.ApiJson.Options,
                            ct
                        );
                    }
                    catch (System.Text.Json.JsonException ex)
                    {
                        return Report(false, $"{file.Name} is not valid catalog JSON: {ex.Message}", null, error);
                    }
                    var report = await services
                        .GetRequiredService<Catalog.CatalogService>()
                        .ApplyAsync(document, CommandLineActor, parse.GetValue(dryRun), ct);
                    output.WriteLine(
                        System.Text.Json.JsonSerializer.Serialize(report, ReleaseBoard.Web.Api.ApiJson.Indented)
                    );
                    return Report(
                        report.Succeeded,
                        "The catalog has errors; nothing was changed.",
                        report.Applied ? "Catalog applied." : "Checked; nothing was changed.",
                        error
                    );
                }));
        var exportCatalog = new Command("export", "Print the current catalog as JSON.");
        exportCatalog.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var document = await services.GetRequiredService<Catalog.CatalogService>().ExportAsync(ct);
                    output.WriteLine(
                        System.Text.Json.JsonSerializer.Serialize(document, ReleaseBoard.Web.Api.ApiJson.Indented)
                    );
                    return 0;
                }));
        root.Subcommands.Add(
            new Command("catalog", "Teams, services and environments as code.") { applyCatalog, exportCatalog }
        );

        // import
        var importCommand = new Command(
            "import",
            "Import past events from a CSV file: every row checked first, then all stored or none."
        );
        foreach (var kind in Enum.GetValues<Ingestion.Import.ImportKind>())
        {
            var csvFile = new Option<FileInfo>("--from")
            {
                Description = "The CSV file; its first line names the columns.",
                Required = true,
            };
            var check = new Option<bool>("--dry-run") { Description = "Check every row; store nothing." };
            var name = kind.ToString().ToLowerInvariant();
            var sub = new Command(name, $"Columns: {string.Join(", ", Ingestion.Import.EventImporter.Columns[kind])}.")
            {
                csvFile,
                check,
            };
            sub.SetAction((parse, ct) => WithServices(error, async services =>
                    {
                        var file = parse.GetValue(csvFile)!;
                        if (!file.Exists)
                            return Report(false, $"There is no file {file.FullName}.", null, error);
                        var report = await services
                            .GetRequiredService<Ingestion.Import.EventImporter>()
                            .ImportAsync(
                                kind,
                                await File.ReadAllTextAsync(file.FullName, ct),
                                CommandLineActor,
                                parse.GetValue(check),
                                ct
                            );
                        output.WriteLine(
                            System.Text.Json.JsonSerializer.Serialize(report, ReleaseBoard.Web.Api.ApiJson.Indented)
                        );
                        return Report(
                            report.Succeeded,
                            $"{report.Problems.Count} problems; nothing was imported.",
                            report.Applied
                                ? $"Imported {report.Imported} {name} ({report.AlreadyStored} were stored already)."
                                : "Checked; nothing was imported.",
                            error
                        );
                    }));
            importCommand.Subcommands.Add(sub);
        }
        // import --from FILE.json: all data of an export, into an empty database (also how SQLite moves to SQL Server)
        var exportFile = new Option<FileInfo>("--from")
        {
            Description = "With no event kind: a JSON file written by export, imported whole into an empty database.",
        };
        importCommand.Options.Add(exportFile);
        importCommand.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    if (parse.GetValue(exportFile) is not { } file)
                        return Report(
                            false,
                            "Say what to import: import --from EXPORT.json, or import deployments|incidents|catches "
                                + "--from FILE.csv.",
                            null,
                            error
                        );
                    if (!file.Exists)
                        return Report(false, $"There is no file {file.FullName}.", null, error);
                    await using var stream = file.OpenRead();
                    var result = await services.GetRequiredService<DataSafety.DataExchange>().ImportAsync(stream, ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        result.Succeeded
                            ? $"Imported {result.Value!.Total} rows in {result.Value.Rows.Count(r => r.Value > 0)} "
                                + $"tables."
                            : null,
                        error
                    );
                }));
        root.Subcommands.Add(importCommand);

        // export, backup
        var exportTo = new Option<FileInfo>("--to")
        {
            Description = "The JSON file to write (not overwritten if it exists).",
            Required = true,
        };
        var export = new Command(
            "export",
            "Write all data (teams, events, audit trail, users, keys) as one JSON file, for import into another "
                + "database."
        )
        {
            exportTo,
        };
        export.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var file = parse.GetValue(exportTo)!;
                    if (file.Exists)
                        return Report(
                            false,
                            $"{file.FullName} exists already; export never overwrites a file.",
                            null,
                            error
                        );
                    var partial = file.FullName + ".partial";
                    File.Delete(partial); // a leftover of an interrupted export
                    ExchangeSummary summary;
                    try
                    {
                        await using (var stream = OwnerOnlyFile.Create(partial))
                            summary = await services
                                .GetRequiredService<DataSafety.DataExchange>()
                                .ExportAsync(stream, TimeProvider.System, ct);
                        File.Move(partial, file.FullName);
                    }
                    finally
                    {
                        if (File.Exists(partial))
                            File.Delete(partial); // never a half export that looks whole
                    }
                    output.WriteLine(file.FullName);
                    return Report(
                        true,
                        null,
                        $"Exported {summary.Total} rows from {summary.Rows.Count} tables. The file holds password and "
                            + $"key hashes: keep it like a secret.",
                        error
                    );
                }));
        root.Subcommands.Add(export);
        var backupTo = new Option<string>("--to")
        {
            Description = "The backup file to write (not overwritten if it exists).",
            Required = true,
            HelpName = "FILE",
        };
        var backup = new Command(
            "backup",
            "Copy the SQLite database to a file, consistently, while the app keeps running."
        )
        {
            backupTo,
        };
        backup.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<DataSafety.SqliteBackup>()
                        .BackupAsync(parse.GetValue(backupTo), ct);
                    if (result.Succeeded)
                        output.WriteLine(Path.GetFullPath(parse.GetValue(backupTo)!));
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Backed up {result.Value:N0} bytes; integrity checked.",
                        error
                    );
                }));
        root.Subcommands.Add(backup);

        // migrate, demo
        var migrate = new Command("migrate", "Apply pending database migrations.");
        migrate.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    // Always migrates, whatever Database:MigrateOnStartup says: that is what this command is for.
                    await using var db = await services
                        .GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                        .CreateDbContextAsync(ct);
                    await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.MigrateAsync(
                        db.Database,
                        ct
                    );
                    return Report(true, null, "The database is up to date.", error);
                }));
        root.Subcommands.Add(migrate);
        var clearDemo = new Command("clear", "Remove the demo teams and all their history. Real teams are untouched.");
        clearDemo.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    await services.GetRequiredService<DemoDataSeeder>().RemoveAsync(CommandLineActor, ct);
                    return Report(true, null, "Demo data removed.", error);
                }));
        root.Subcommands.Add(new Command("demo", "The demo dataset.") { clearDemo });
        return root;
    }

    private static Command WebhookCommands(TextReader input, TextWriter output, TextWriter error)
    {
        var tool = new Option<string>("--tool")
        {
            Description = "github, pagerduty, flagger, argo-rollouts or catch.",
            Required = true,
        };
        tool.AcceptOnlyFromAmong([.. Ingestion.Webhooks.WebhookTools.ByName.Keys]);
        var repository = new Option<string?>("--repository")
        {
            Description = "GitHub: the one repository (owner/name).",
        };
        var service = new Option<string?>("--service")
        {
            Description = "All but GitHub: the one service (slug, or team/service).",
        };
        var team = new Option<string?>("--team") { Description = "Instead: every repository or service of this team." };
        var generate = new Option<bool>("--generate")
        {
            Description =
                "All but PagerDuty: make a new secret and print it once. Without it the secret is read from "
                + "standard input.",
        };
        var add = new Command("add", "Bind a webhook secret to what its deliveries may speak for.")
        {
            tool,
            repository,
            service,
            team,
            generate,
        };
        add.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var which = Ingestion.Webhooks.WebhookTools.ByName[parse.GetValue(tool)!];
                    var secret = parse.GetValue(generate) ? null : ReadPassword(input, error, "Secret: ");
                    if (!parse.GetValue(generate) && string.IsNullOrWhiteSpace(secret))
                        return Report(
                            false,
                            "Give the secret on standard input, or --generate one (all but PagerDuty).",
                            null,
                            error
                        );
                    var result = await services
                        .GetRequiredService<Ingestion.Webhooks.WebhookSecrets>()
                        .AddAsync(
                            which,
                            parse.GetValue(repository),
                            parse.GetValue(service),
                            parse.GetValue(team),
                            secret,
                            CommandLineActor,
                            ct
                        );
                    if (result.Succeeded && result.Value is { } generated)
                        output.WriteLine(generated);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        result.Value is null
                            ? "Added the webhook secret; it is kept protected and cannot be shown again."
                            : "Added a new webhook secret. Enter it in the webhook's settings now: it cannot be shown "
                                + "again.",
                        error
                    );
                }));

        var list = new Command(
            "list",
            "The webhook secrets (never the secrets themselves): id, tool, what each speaks for."
        );
        list.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    foreach (
                        var s in await services.GetRequiredService<Ingestion.Webhooks.WebhookSecrets>().ListAsync(ct)
                    )
                        output.WriteLine(
                            string.Join(
                                '\t',
                                s.Id.ToString(CultureInfo.InvariantCulture),
                                s.Tool,
                                s.SpeaksFor,
                                s.RevokedAt is null ? "active" : "revoked",
                                s.LastUsedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"
                            )
                        );
                    return 0;
                }));

        var id = new Option<int>("--id")
        {
            Description = "The secret's id, as `webhooks list` shows it.",
            Required = true,
        };
        var revoke = new Command("revoke", "Revoke a webhook secret: deliveries it signs are refused at once.") { id };
        revoke.SetAction((parse, ct) => WithServices(error, async services =>
                {
                    var result = await services
                        .GetRequiredService<Ingestion.Webhooks.WebhookSecrets>()
                        .RevokeAsync(parse.GetValue(id), CommandLineActor, ct);
                    return Report(
                        result.Succeeded,
                        result.Error,
                        $"Revoked webhook secret {parse.GetValue(id)}.",
                        error
                    );
                }));
        return new Command("webhooks", "GitHub and PagerDuty webhook secrets, each bound to what it speaks for.")
        {
            add,
            list,
            revoke,
        };
    }

    /// <summary>
    /// Builds the app's services (configuration, store, access) without the web server, migrates, then runs.
    /// </summary>
    private static async Task<int> WithServices(TextWriter error, Func<IServiceProvider, Task<int>> action)
    {
        // Configuration comes from appsettings and the environment (ConnectionStrings__ReleaseBoard=…); the command
        // line belongs to the command.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddReleaseBoardTransport();
        builder.AddReleaseBoardStore();
        builder.AddReleaseBoardAccess();
        builder.Services.AddApiPlumbing();
        builder.Services.AddDemoData();
        builder.Services.AddPromotionRules();
        builder.Services.AddCatalog();
        builder.Services.AddIngestionCore();
        builder.Services.AddDispatchCore();
        builder.Services.AddNotificationsCore();
        builder.Services.AddSingleton<DataSafety.DataExchange>();
        builder.Services.AddSingleton<DataSafety.SqliteBackup>();

        try
        {
            await using var app = builder.Build();
            await app.MigrateDatabaseAsync();
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().EnsureRolesAsync();
            return await action(scope.ServiceProvider);
        }
        catch (Exception ex)
            when (ex
                    is InvalidOperationException
                        or Microsoft.Extensions.Options.OptionsValidationException
                        or System.Data.Common.DbException
            )
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private static int Report(bool succeeded, string? problem, string? done, TextWriter error)
    {
        error.WriteLine(succeeded ? done : $"error: {problem}");
        return succeeded ? 0 : 1;
    }

    /// <summary>A password from standard input: a line when piped, typed without echo at a terminal.</summary>
    private static string? ReadPassword(TextReader input, TextWriter error, string prompt = "Password: ")
    {
        if (Console.IsInputRedirected || !ReferenceEquals(input, Console.In))
            return input.ReadLine();

        error.Write(prompt);
        var typed = new System.Text.StringBuilder();
        for (
            var key = Console.ReadKey(intercept: true);
            key.Key != ConsoleKey.Enter;
            key = Console.ReadKey(intercept: true)
        )
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0)
                    typed.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
                typed.Append(key.KeyChar);
        }
        error.WriteLine();
        return typed.ToString();
    }

    internal static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var unit = char.IsLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return false;
        duration = unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }
}
