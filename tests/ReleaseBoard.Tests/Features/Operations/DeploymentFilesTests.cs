using System.Diagnostics;
using System.Text.RegularExpressions;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// The production path, checked without Docker: docker-compose.yml validates with Debian's docker-compose, runs the
/// migrate step before the app, takes its secrets from .env (never committed), and the README names what .env holds.
/// </summary>
public partial class DeploymentFilesTests
{
    private static readonly string Root = RepositoryRoot.Path;

    private static async Task<(int ExitCode, string Output, string Error)> ComposeAsync(
        string envFile,
        params string[] args
    )
    {
        var compose = Environment.GetEnvironmentVariable("RELEASEBOARD_DOCKER_COMPOSE") ?? "/usr/bin/docker-compose";
        Assert.True(
            File.Exists(compose),
            $"docker-compose not found at {compose}: install Debian's docker-compose package (scripts/test.sh does)."
        );
        var start = new ProcessStartInfo(compose)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--env-file", envFile }.Concat(args))
            start.ArgumentList.Add(arg);
        // Only the .env file given speaks: nothing from the machine's environment leaks into the check.
        foreach (var name in new[] { "MSSQL_SA_PASSWORD", "RELEASEBOARD_ADMIN_EMAIL", "RELEASEBOARD_ADMIN_PASSWORD" })
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    private static string FilledEnvFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"releaseboard-{Guid.NewGuid():N}.env");
        File.WriteAllText(
            path,
            File.ReadAllText(Path.Combine(Root, ".env.example"))
                .Replace("MSSQL_SA_PASSWORD=\n", "MSSQL_SA_PASSWORD=Example-Passw0rd\n", StringComparison.Ordinal)
                .Replace(
                    "RELEASEBOARD_ADMIN_EMAIL=\n",
                    "RELEASEBOARD_ADMIN_EMAIL=admin@example.test\n",
                    StringComparison.Ordinal
                )
                .Replace(
                    "RELEASEBOARD_ADMIN_PASSWORD=\n",
                    "RELEASEBOARD_ADMIN_PASSWORD=a long enough passphrase\n",
                    StringComparison.Ordinal
                )
        );
        return path;
    }

    [Fact]
    public async Task The_compose_file_validates_and_migrates_once_before_the_app_starts()
    {
        var env = FilledEnvFile();
        try
        {
            var check = await ComposeAsync(env, "config", "-q");
            Assert.True(check.ExitCode == 0, check.Error);

            var config = await ComposeAsync(env, "config");
            Assert.Equal(0, config.ExitCode);
            Assert.Equal(
                ["migrate", "releaseboard", "sqlserver"],
                (await ComposeAsync(env, "config", "--services"))
                    .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Order()
            );
            var app = Section(config.Output, "releaseboard");
            var migrate = Section(config.Output, "migrate");
            Assert.Matches(@"command:\s*\n\s*- migrate", migrate);
            Assert.Matches(@"migrate:\s*\n\s*condition: service_completed_successfully", app);
            Assert.Contains("Database__MigrateOnStartup: \"false\"", app);
            Assert.Contains("Database__Provider: SqlServer", app);
            Assert.Contains("Bootstrap__AdminEmail: admin@example.test", app);
            Assert.Contains("/readyz", app);
            Assert.Contains("pull_policy: never", app); // the image is built once, by migrate, not twice in parallel
            Assert.Matches(@"sqlserver:\s*\n\s*condition: service_healthy", migrate);
            Assert.Contains("sqlserver-data:/var/opt/mssql", Section(config.Output, "sqlserver"));
        }
        finally
        {
            File.Delete(env);
        }
    }

    [Fact]
    public async Task Without_its_secrets_the_compose_file_refuses_to_start_and_says_which_is_missing()
    {
        var check = await ComposeAsync(Path.Combine(Root, ".env.example"), "config", "-q");

        Assert.NotEqual(0, check.ExitCode);
        Assert.Contains("set MSSQL_SA_PASSWORD in .env", check.Error);
    }

    [Fact]
    public async Task Once_an_admin_exists_the_compose_file_needs_no_admin_password_on_every_start()
    {
        var env = Path.Combine(Path.GetTempPath(), $"releaseboard-{Guid.NewGuid():N}.env");
        File.WriteAllText(
            env,
            File.ReadAllText(Path.Combine(Root, ".env.example"))
                .Replace("MSSQL_SA_PASSWORD=\n", "MSSQL_SA_PASSWORD=Example-Passw0rd\n", StringComparison.Ordinal)
        );
        try
        {
            var check = await ComposeAsync(env, "config");

            Assert.True(check.ExitCode == 0, check.Error);
            Assert.DoesNotContain("Bootstrap__AdminPassword: a", Section(check.Output, "releaseboard"));
            Assert.DoesNotContain("Webhooks__GitHub__Secret", check.Output); // bound per owner in the app now
            Assert.Contains("Transport__KnownNetworks__0", Section(check.Output, "releaseboard")); // the proxy
        }
        finally
        {
            File.Delete(env);
        }
    }

    [Fact]
    public void Secrets_stay_out_of_the_repository_and_the_image_and_the_readme_names_every_setting_of_env()
    {
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(Root, ".dockerignore")));
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        Assert.DoesNotMatch("(?i)password|secret=", dockerfile);
        Assert.Contains("USER $APP_UID", dockerfile);
        Assert.Contains("HEALTHCHECK", dockerfile);

        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var settings = EnvSetting()
            .Matches(File.ReadAllText(Path.Combine(Root, ".env.example")))
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.NotEmpty(settings);
        Assert.All(settings, name => Assert.Contains(name, readme));
    }

    /// <summary>One service's block of `docker-compose config` output.</summary>
    private static string Section(string config, string service)
    {
        var match = Regex.Match(
            config,
            $@"^  {Regex.Escape(service)}:\n(?<body>(?:^    .*\n|^\s*\n)+)",
            RegexOptions.Multiline
        );
        Assert.True(match.Success, $"no service {service} in:\n{config}");
        return match.Groups["body"].Value;
    }

    [GeneratedRegex(@"^([A-Z_]+)=", RegexOptions.Multiline)]
    private static partial Regex EnvSetting();
}
