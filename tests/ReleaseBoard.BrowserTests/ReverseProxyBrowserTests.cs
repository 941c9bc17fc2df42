using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseBoard.BrowserTests;

/// <summary>
/// ReleaseBoard as it runs in production: behind a real TLS-terminating reverse proxy (Debian's Caddy) on a host name
/// of its own, reached by Chromium over HTTPS. Cookies are Secure, HSTS goes out (the forwarded scheme is believed from
/// the proxy on loopback), no page breaks its Content-Security-Policy, display links carry the public address, and the
/// wall is live through the proxy's WebSocket. Its own app, proxy and browser: nothing shared with other tests.
/// </summary>
public sealed class ReverseProxyBrowserTests : IAsyncLifetime
{
    private const string Password = "proxy tests passphrase";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly CaddyProxy _proxy = new();
    private AppServer _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new AppServer(
            environment: new Dictionary<string, string> { ["Transport__PublicBaseUrl"] = _proxy.BaseUrl }
        );
        await _app.StartAsync();
        await _proxy.StartAsync(_app.Port);
        var created = await _app.RunCommandAsync(
            Password,
            "users",
            "create",
            "--email",
            "admin@example.test",
            "--role",
            "Admin"
        );
        Assert.True(created.ExitCode == 0, created.Error);
        await BrowserFixture.AddTeamAsync(_app, "proxied", 5);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserFixture.ChromiumPath,
                Headless = true,
                Args = [.. BrowserFixture.ChromiumArgs, $"--host-resolver-rules=MAP {CaddyProxy.Host} 127.0.0.1"],
            }
        );
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        await _proxy.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A fresh browser context that accepts Caddy's internal CA and records every CSP violation.</summary>
    private async Task<(IPage Page, List<string> Violations)> OpenAsync()
    {
        var context = await _browser.NewContextAsync(
            new BrowserNewContextOptions
            {
                IgnoreHTTPSErrors = true,
                ViewportSize = new ViewportSize { Width = 1920, Height = 1080 },
            }
        );
        var violations = new List<string>();
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                violations.Add(message.Text);
        };
        return (page, violations);
    }

    [Fact]
    public async Task Through_the_proxy_cookies_are_secure_HSTS_is_sent_and_the_wall_is_live()
    {
        var (page, violations) = await OpenAsync();

        var login = await page.GotoAsync(_proxy.BaseUrl + "/account/login");
        Assert.Equal(200, login!.Status);
        Assert.Contains("max-age=31536000", (await login.AllHeadersAsync())["strict-transport-security"]);
        Assert.Contains("frame-ancestors 'none'", (await login.AllHeadersAsync())["content-security-policy"]);
        await page.GetByTestId("email").FillAsync("admin@example.test");
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));

        var cookies = await page.Context.CookiesAsync();
        var auth = Assert.Single(cookies, c => c.Name == ".ReleaseBoard.Auth");
        Assert.True(auth is { Secure: true, HttpOnly: true }, "the sign-in cookie is Secure and HttpOnly");
        Assert.All(cookies, c => Assert.True(c.Secure, $"{c.Name} is not Secure"));

        // Pages that use what a policy could break: MudBlazor (theme, popovers), apexcharts, the import map, forms.
        await page.GotoAsync(_proxy.BaseUrl + "/trends?team=payments");
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.Locator(".apexcharts-canvas").First)
            .ToBeVisibleAsync(new() { Timeout = BrowserFixture.Patience });
        foreach (var path in new[] { "/pipelines", "/admin/display-links" })
        {
            await page.GotoAsync(_proxy.BaseUrl + path);
            await BrowserFixture.WaitUntilLiveAsync(page);
        }
        await page.GetByTestId("link-teams").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "proxied" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var link = await page.GetByTestId("new-link").InnerTextAsync(new() { Timeout = BrowserFixture.Patience });
        Assert.StartsWith($"{_proxy.BaseUrl}/display#rbd_", link); // the public address, not the app's own port
        Assert.Empty(violations);

        var (tv, tvViolations) = await OpenAsync();
        await tv.GotoAsync(link);
        await Expect(tv.GetByTestId("days-since"))
            .ToHaveTextAsync("5", new() { Timeout = (float)Patience.TotalMilliseconds });
        await BrowserFixture.WaitUntilLiveAsync(tv);
        var key = (
            await _app.RunCommandAsync(null, "apikeys", "create", "--name", "proxied-ci", "--team", "proxied")
        ).Output.Trim();
        using var pipeline = _proxy.CreateClient();
        pipeline.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer",
            key
        );
        var caught = await pipeline.PostAsJsonAsync(
            "/api/v1/catches",
            new
            {
                service = "proxied-api",
                environment = "staging",
                severity = 2,
                title = "Caught behind the proxy",
                reportedBy = "proxy test",
                caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Created, caught.StatusCode);

        await Expect(tv.GetByTestId("days-since"))
            .ToHaveTextAsync("0", new() { Timeout = (float)Patience.TotalMilliseconds });
        await tv.ScreenshotAsync(
            new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "wall-through-caddy-1920x1080.png") }
        );
        Assert.Empty(tvViolations);
    }
}
