using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.BrowserTests;

/// <summary>One app and one headless Debian Chromium for all browser tests (no browser is downloaded).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Override with RELEASEBOARD_CHROMIUM; Debian's package installs it here.</summary>
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("RELEASEBOARD_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Where the tests leave their screenshots, for a person to look at.</summary>
    public static string ScreenshotFolder { get; } =
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    private IPlaywright? _playwright;

    public AppServer App { get; } = new();
    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}. Install Debian's package (apt-get install chromium) or set "
                    + $"RELEASEBOARD_CHROMIUM."
            );

        await App.StartAsync();
        // People are created the way an operator would: with the command line, password on standard input.
        foreach (var role in new[] { "Viewer", "Approver", "Admin" })
        {
            var created = await App.RunCommandAsync(
                Password,
                "users",
                "create",
                "--email",
                EmailOf(role),
                "--role",
                role
            );
            if (created.ExitCode != 0)
                throw new InvalidOperationException($"users create failed: {created.Error}");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
            }
        );
    }

    /// <summary>This machine has no network beyond loopback: keep Chromium from reaching out at all.</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ];

    public const string Password = "browser tests passphrase";

    /// <summary>
    /// How long a functional wait may take (milliseconds): generous, since a busy CI machine is slow at times. How
    /// fast things really are is for the benchmarks to say (`wall`, `revocation`), not for a test's timeout.
    /// </summary>
    public const float Patience = 10_000;

    public static string EmailOf(string role) => $"{role.ToLowerInvariant()}@example.test";

    /// <summary>
    /// Opens a page in a fresh browser context, signed in through the login form when a role (or an email) is given.
    /// </summary>
    public async Task<IPage> OpenAsync(string path, int width = 1920, int height = 1080, string? signedInAs = null)
    {
        var context = await Browser.NewContextAsync(
            new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = width, Height = height },
            }
        );
        var page = await context.NewPageAsync();
        if (signedInAs is not null)
        {
            await page.GotoAsync(App.BaseUrl + "/account/login");
            await page.GetByTestId("email").FillAsync(signedInAs.Contains('@') ? signedInAs : EmailOf(signedInAs));
            await page.GetByTestId("password").FillAsync(Password);
            await page.GetByTestId("sign-in").ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        }
        await page.GotoAsync(App.BaseUrl + path);
        return page;
    }

    /// <summary>A display link for the team, as a TV would open it (stored hashed, like the app stores it).</summary>
    public async Task<string> DisplayLinkAsync(string teamSlug, AppServer? on = null)
    {
        var token = ReleaseBoard.Web.Features.Access.SecretToken.Create("rbd_");
        await using var db = (on ?? App).Db();
        var teamId = await db.Teams.Where(t => t.Slug == teamSlug).Select(t => t.Id).SingleAsync();
        db.DisplayLinks.Add(
            new DisplayLink
            {
                TokenHash = ReleaseBoard.Web.Features.Access.SecretToken.Hash(token),
                TokenPrefix = token[..10],
                CreatedAt = DateTime.UtcNow,
                CreatedBy = "browser test",
                Teams = [new DisplayLinkTeam { TeamId = teamId }],
            }
        );
        await db.SaveChangesAsync();
        return "/display#" + token;
    }

    /// <summary>
    /// Waits until the circuit is interactive: kiosk.js marks the page live once the server-side beacon calls in.
    /// </summary>
    public static Task WaitUntilLiveAsync(IPage page, float timeoutMs = 30000) =>
        Assertions
            .Expect(page.Locator("html[data-connection=live]"))
            .ToHaveCountAsync(1, new() { Timeout = timeoutMs });

    /// <summary>
    /// A team of the test's own in UTC, with its services (dev → staging → production each) and a counting catch
    /// <paramref name="daysAgo"/> days ago at noon on the first one.
    /// </summary>
    public Task AddTeamAsync(string slug, int daysAgo, params string[] serviceNames) =>
        AddTeamAsync(App, slug, daysAgo, serviceNames);

    /// <summary>A successful deployment of the version to staging, finished and reported a minute ago.</summary>
    public static Deployment PassedStaging(ServiceEnvironment staging, string version, string externalId)
    {
        var finished = DateTime.UtcNow.AddMinutes(-1);
        return new Deployment
        {
            ServiceId = staging.ServiceId,
            EnvironmentId = staging.Id,
            Version = version,
            StartedAt = finished.AddMinutes(-2),
            FinishedAt = finished,
            Outcome = DeploymentOutcome.Succeeded,
            ReceivedAt = finished,
            OutcomeReceivedAt = finished,
            Source = "ci",
            ExternalId = externalId,
        };
    }

    /// <summary>The same, in the database of another app server.</summary>
    public static async Task AddTeamAsync(AppServer on, string slug, int daysAgo, params string[] serviceNames)
    {
        await using var db = on.Db();
        var team = new Team
        {
            Slug = slug,
            Name = slug,
            TimeZoneId = "Etc/UTC",
            CreatedAt = DateTime.UtcNow,
        };
        ServiceEnvironment? firstStaging = null;
        foreach (var name in serviceNames.Length > 0 ? serviceNames : [$"{slug}-api"])
        {
            var service = new Service
            {
                Slug = name,
                Name = name,
                Team = team,
            };
            ServiceEnvironment[] environments =
            [
                new()
                {
                    Name = "dev",
                    Order = 0,
                    Service = service,
                },
                new()
                {
                    Name = "staging",
                    Order = 1,
                    Service = service,
                },
                new()
                {
                    Name = "production",
                    Order = 2,
                    IsProduction = true,
                    RequiredApprovals = 2,
                    Service = service,
                },
            ];
            db.AddRange(environments);
            firstStaging ??= environments[1];
        }
        var caughtAt = DateTime.UtcNow.Date.AddDays(-daysAgo).AddHours(12);
        db.Catches.Add(
            new Catch
            {
                Service = firstStaging!.Service,
                Environment = firstStaging,
                Severity = 2,
                Title = "Seeded by the browser test",
                ReportedBy = "test",
                CaughtAt = caughtAt,
                RecordedAt = caughtAt,
                Source = "test",
            }
        );
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(nameof(BrowserCollection))]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;
