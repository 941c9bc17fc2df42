using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

public class SignInTests
{
    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_even_against_the_right_password()
    {
        await using var app = new ReleaseBoardAppFactory();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope
                .ServiceProvider.GetRequiredService<UserAdministration>()
                .CreateAsync("ana@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        using var client = app.NoRedirects();

        for (var attempt = 0; attempt < 5; attempt++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await SignIn.PostLoginAsync(client, "ana@example.test", "a wrong passphrase")).StatusCode
            );
        var locked = await SignIn.PostLoginAsync(client, "ana@example.test", "the right passphrase");

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode); // no redirect: not signed in
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_login_post_without_its_antiforgery_token_is_refused()
    {
        await using var app = new ReleaseBoardAppFactory();
        using var client = app.NoRedirects();

        var response = await client.PostAsync(
            "/account/login",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["_handler"] = "login",
                    ["Input.Email"] = "ana@example.test",
                    ["Input.Password"] = "whatever",
                }
            ),
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/wall/payments", true)]
    [InlineData("/", true)]
    [InlineData("//evil.example/steal", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("/\t/evil.example", false)]
    [InlineData("https://evil.example", false)]
    [InlineData("evil.example", false)]
    [InlineData("", false)]
    public void Only_local_paths_are_return_addresses(string url, bool local) =>
        Assert.Equal(local, ReleaseBoard.Web.Features.Access.LocalUrl.IsLocal(url));

    [Fact]
    public async Task A_role_taken_away_counts_at_the_next_action_even_on_a_page_opened_before()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("first@example.test", Roles.Admin, "the right passphrase", AuditActor.System);
        await users.CreateAsync("demoted@example.test", Roles.Admin, "the right passphrase", AuditActor.System);
        System.Security.Claims.ClaimsPrincipal signedIn;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
            var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<ReleaseBoardUser>>();
            signedIn = await factory.CreateAsync((await userManager.FindByEmailAsync("demoted@example.test"))!);
        }
        Assert.True(await users.MayActNowAsync(signedIn, Policies.Admin));

        await users.SetRoleAsync(
            "demoted@example.test",
            Roles.Viewer,
            AuditActor.User("first@example.test", "first@example.test")
        );

        Assert.True(signedIn.IsInRole(Roles.Admin)); // the old sign-in still claims it...
        Assert.False(await users.MayActNowAsync(signedIn, Policies.Admin)); // ...and the store says no
        Assert.False(await users.MayActNowAsync(signedIn, Policies.Record));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("only@example.test", Roles.Admin, "the right passphrase", AuditActor.System);

        var result = await users.SetRoleAsync("only@example.test", Roles.Viewer, AuditActor.System);

        Assert.False(result.Succeeded);
        Assert.Contains("last admin", result.Error);
    }

    [Fact]
    public async Task A_session_survives_a_restart_because_the_keys_are_in_the_database()
    {
        var folder = Path.Combine(Path.GetTempPath(), "releaseboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ReleaseBoard"] = $"Data Source={Path.Combine(folder, "restart.db")}",
        };
        string cookie;
        await using (var before = new ReleaseBoardAppFactory(settings: settings))
        {
            await using (var scope = before.Services.CreateAsyncScope())
                await before
                    .Services.GetRequiredService<UserAdministration>()
                    .CreateAsync("ana@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
            using var client = before.NoRedirects();
            var signedIn = await SignIn.PostLoginAsync(client, "ana@example.test", "the right passphrase");
            cookie = string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        }

        await using var after = new ReleaseBoardAppFactory(settings: settings);
        using var restarted = after.NoRedirects(cookies: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/definitions");
        request.Headers.Add("Cookie", cookie);

        Assert.Equal(
            HttpStatusCode.OK,
            (await restarted.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode
        );
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task After_signing_in_the_person_returns_to_a_local_page_only()
    {
        await using var app = new ReleaseBoardAppFactory();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope
                .ServiceProvider.GetRequiredService<UserAdministration>()
                .CreateAsync("ben@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        using var client = app.NoRedirects();

        var response = await SignIn.PostLoginAsync(
            client,
            "ben@example.test",
            "the right passphrase",
            "/account/login?returnUrl=//evil.example/steal"
        );

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("localhost", location.Host);
        Assert.Equal("/", location.AbsolutePath);
    }

    [Fact]
    public async Task Data_protection_keys_live_in_the_database_so_sessions_survive_a_restart()
    {
        await using var app = new ReleaseBoardAppFactory();
        using var client = app.NoRedirects();
        // issues an antiforgery token: needs a key
        await client.GetStringAsync("/account/login", TestContext.Current.CancellationToken);

        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.True(
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
                db.DataProtectionKeys,
                TestContext.Current.CancellationToken
            )
        );
    }

    [Fact]
    public async Task Without_an_admin_the_start_up_log_says_how_to_create_one()
    {
        await using var app = new ReleaseBoardAppFactory();
        _ = app.Server;

        Assert.Contains(app.Logs.Lines, line =>
            line.Contains("users create --email you@example.com --role Admin", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task The_first_admin_can_come_from_configuration()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["Bootstrap:AdminEmail"] = "root@example.test",
                ["Bootstrap:AdminPassword"] = "a configured passphrase",
            }
        );
        using var client = app.NoRedirects();

        var response = await SignIn.PostLoginAsync(client, "root@example.test", "a configured passphrase");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().AnyAdminAsync());
    }

    [Fact]
    public async Task Single_sign_on_from_configuration_adds_its_button_beside_local_accounts()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["Authentication:OpenIdConnect:Authority"] = "https://login.example.test/realms/acme",
                ["Authentication:OpenIdConnect:ClientId"] = "releaseboard",
                ["Authentication:OpenIdConnect:DisplayName"] = "Sign in with Acme",
                ["Authentication:OpenIdConnect:RoleMap:release-admins"] = "Admin",
            }
        );
        using var client = app.NoRedirects();

        var page = await client.GetStringAsync("/account/login", TestContext.Current.CancellationToken);

        Assert.Contains("Sign in with Acme", page);
        Assert.Contains("data-testid=\"sign-in\"", page); // the local form stays
        var schemes =
            app.Services.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();
        Assert.NotNull(await schemes.GetSchemeAsync(AccessSetup.OpenIdConnectScheme));
        Assert.Equal("Admin", app.Services.GetRequiredService<OpenIdConnectSettings>().RoleMap["release-admins"]);
    }

    [Fact]
    public async Task Without_single_sign_on_configured_there_is_no_such_button_or_scheme()
    {
        await using var app = new ReleaseBoardAppFactory();
        var schemes =
            app.Services.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();

        Assert.Null(await schemes.GetSchemeAsync(AccessSetup.OpenIdConnectScheme));
        Assert.DoesNotContain(
            "/account/sso",
            await app.CreateClient().GetStringAsync("/account/login", TestContext.Current.CancellationToken)
        );
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? LoginError(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"login-error\">([^<]*)<") is { Success: true } m
            ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)
            : null;

    [Fact]
    public async Task Unknown_wrong_and_locked_accounts_all_get_the_same_message()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("ana@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        await users.CreateAsync("bo@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        using var client = app.NoRedirects();
        for (var attempt = 0; attempt < 5; attempt++)
            await SignIn.PostLoginAsync(client, "bo@example.test", "a wrong passphrase");

        var unknown = LoginError(
            await (
                await SignIn.PostLoginAsync(client, "nobody@example.test", "whatever it is")
            ).Content.ReadAsStringAsync(Ct)
        );
        var wrong = LoginError(
            await (
                await SignIn.PostLoginAsync(client, "ana@example.test", "a wrong passphrase")
            ).Content.ReadAsStringAsync(Ct)
        );
        var locked = LoginError(
            await (
                await SignIn.PostLoginAsync(client, "bo@example.test", "the right passphrase")
            ).Content.ReadAsStringAsync(Ct)
        );

        Assert.NotNull(unknown);
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, locked);
    }

    /// <summary>The app's password hasher, counting how often a password is checked against a hash.</summary>
    private sealed class CountingHasher : Microsoft.AspNetCore.Identity.IPasswordHasher<ReleaseBoardUser>
    {
        private readonly Microsoft.AspNetCore.Identity.PasswordHasher<ReleaseBoardUser> _inner = new();
        public static int Verified;

        public string HashPassword(ReleaseBoardUser user, string password) => _inner.HashPassword(user, password);

        public Microsoft.AspNetCore.Identity.PasswordVerificationResult VerifyHashedPassword(
            ReleaseBoardUser user,
            string hashedPassword,
            string providedPassword
        )
        {
            Interlocked.Increment(ref Verified);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task Unknown_and_locked_accounts_cost_one_password_check_like_a_wrong_password_does()
    {
        await using var factory = new ReleaseBoardAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
            b.ConfigureServices(services =>
                services.AddScoped<Microsoft.AspNetCore.Identity.IPasswordHasher<ReleaseBoardUser>, CountingHasher>()
            )
        );
        await app
            .Services.GetRequiredService<UserAdministration>()
            .CreateAsync("ana@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        using var client = app.CreateClient(
            new() { BaseAddress = ReleaseBoardAppFactory.Https, AllowAutoRedirect = false }
        );

        async Task<int> ChecksAsync(string email)
        {
            var before = Volatile.Read(ref CountingHasher.Verified);
            await SignIn.PostLoginAsync(client, email, "a wrong passphrase");
            return Volatile.Read(ref CountingHasher.Verified) - before;
        }

        Assert.Equal(1, await ChecksAsync("ana@example.test")); // known, wrong password: Identity checks it
        Assert.Equal(1, await ChecksAsync("nobody@example.test"));
        for (var attempt = 0; attempt < 4; attempt++)
            await ChecksAsync("ana@example.test"); // now locked
        Assert.Equal(1, await ChecksAsync("ana@example.test"));
    }

    [Fact]
    public async Task Sign_in_attempts_from_one_address_are_limited_with_429_and_Retry_After()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Access:SignInAttemptsPerMinute"] = "3" }
        );
        using var client = app.NoRedirects();
        // The same page under other spellings of its address counts the same.
        string[] paths = ["/account/login", "/account/login/", "/Account/Login"];
        for (var attempt = 0; attempt < 3; attempt++)
            Assert.Equal(
                HttpStatusCode.OK,
                (
                    await SignIn.PostLoginAsync(client, "ana@example.test", "guess number " + attempt, paths[attempt])
                ).StatusCode
            );

        var limited = await SignIn.PostLoginAsync(client, "ana@example.test", "guess number 4", "/ACCOUNT/LOGIN/");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Contains("href=\"/account/login\"", await limited.Content.ReadAsStringAsync(Ct)); // a way back
        // reading it is not limited
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login", Ct)).StatusCode);
    }

    [Fact]
    public async Task Signing_out_takes_the_pages_antiforgery_token()
    {
        await using var app = new ReleaseBoardAppFactory();
        await app
            .Services.GetRequiredService<UserAdministration>()
            .CreateAsync("ana@example.test", Roles.Viewer, "the right passphrase", AuditActor.System);
        using var client = await SignIn.SignedInClientAsync(app, "ana@example.test", "the right passphrase");

        var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/teams", Ct)).StatusCode); // still signed in
        var page = await client.GetStringAsync("/account/password", Ct);
        var token = System
            .Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")
            .Groups[1]
            .Value;
        var signedOut = await client.PostAsync(
            "/account/logout",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token),
                }
            ),
            Ct
        );
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/teams", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_person_changes_their_password_and_their_other_sessions_end()
    {
        await using var app = new ReleaseBoardAppFactory();
        await app
            .Services.GetRequiredService<UserAdministration>()
            .CreateAsync("ana@example.test", Roles.Viewer, "the old passphrase", AuditActor.System);
        using var elsewhere = await SignIn.SignedInClientAsync(app, "ana@example.test", "the old passphrase");
        using var here = await SignIn.SignedInClientAsync(app, "ana@example.test", "the old passphrase");

        var wrong = await PostPasswordAsync(here, "not the old one", "a brand new passphrase");
        Assert.Contains("current password is not right", wrong);
        var changed = await PostPasswordAsync(here, "the old passphrase", "a brand new passphrase");

        Assert.Contains("data-testid=\"password-changed\"", changed);
        await Task.Delay(1100, Ct); // the stamp is re-read at most a second after the last look
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/v1/teams", Ct)).StatusCode); // signed in anew
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/v1/teams", Ct)).StatusCode);
        using var fresh = app.NoRedirects();
        Assert.Equal(
            HttpStatusCode.OK,
            (await SignIn.PostLoginAsync(fresh, "ana@example.test", "the old passphrase")).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Redirect,
            (await SignIn.PostLoginAsync(fresh, "ana@example.test", "a brand new passphrase")).StatusCode
        );
    }

    private static async Task<string> PostPasswordAsync(HttpClient client, string current, string password)
    {
        var fields = SignIn.HiddenFields(await client.GetStringAsync("/account/password", Ct));
        fields["Input.Current"] = current;
        fields["Input.New"] = password;
        fields["Input.Confirm"] = password;
        var response = await client.PostAsync("/account/password", new FormUrlEncodedContent(fields), Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("ann@example.test", Roles.Admin, "the right passphrase", AuditActor.System);
        await users.CreateAsync("bob@example.test", Roles.Admin, "the right passphrase", AuditActor.System);

        for (var round = 0; round < 5; round++)
        {
            var results = await Task.WhenAll(
                Task.Run(() =>
                    users.SetRoleAsync("ann@example.test", Roles.Viewer, AuditActor.User("bob", "bob@example.test"))
                ),
                Task.Run(() =>
                    users.SetRoleAsync("bob@example.test", Roles.Viewer, AuditActor.User("ann", "ann@example.test"))
                )
            );

            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Contains("last admin", results.Single(r => !r.Succeeded).Error);
            var admins = (await users.ListAsync()).Where(u => u.Role == Roles.Admin).Select(u => u.Email).ToList();
            var remaining = Assert.Single(admins);
            await users.SetRoleAsync(
                remaining == "ann@example.test" ? "bob@example.test" : "ann@example.test",
                Roles.Admin,
                AuditActor.System
            );
        }
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_disabled()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync("only@example.test", Roles.Admin, "the right passphrase", AuditActor.System);

        var result = await users.SetDisabledAsync("only@example.test", true, AuditActor.System);

        Assert.False(result.Succeeded);
        Assert.Contains("last admin", result.Error);
    }
}
