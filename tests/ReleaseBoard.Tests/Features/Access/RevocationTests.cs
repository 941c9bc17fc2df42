using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// Revocation means now, on every instance: after first use (when caches hold the key or the slug), from the command
/// line and from another instance, and for open pages. Waits are generous (10 s) and functional; how long it really
/// takes is measured by the benchmarks' `revocation` command.
/// </summary>
public sealed class RevocationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _folder = Directory.CreateTempSubdirectory("releaseboard-revocation-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        { /* best effort */
        }
    }

    /// <summary>
    /// Polls until the answer is <paramref name="expected"/>; the time it took, or a failure after 10 s.
    /// </summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<HttpStatusCode>> ask, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        var last = HttpStatusCode.OK;
        while (watch.Elapsed < Patience)
        {
            if ((last = await ask()) == expected)
                return watch.Elapsed;
            await Task.Delay(50, Ct);
        }
        Assert.Fail($"still {(int)last} after {Patience.TotalSeconds} s, expected {(int)expected}");
        return watch.Elapsed;
    }

    [Fact]
    public async Task A_key_in_use_revoked_with_the_command_line_is_refused_by_the_running_app_within_seconds()
    {
        await using var app = new ReleaseBoardAppFactory();
        var (_, key) = await app.AddTeamWithKeyAsync("shop");
        using var pipeline = app.CreateApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync("/api/v1/teams", Ct)).StatusCode); // remembered now

        var revoked = await CommandLineRun.RunAsync(
            app.ConnectionString,
            _folder,
            null,
            "apikeys",
            "revoke",
            "--name",
            "shop-ci"
        );
        Assert.True(revoked.Exit == 0, revoked.Err);
        var took = await UntilAsync(
            async () => (await pipeline.GetAsync("/api/v1/teams", Ct)).StatusCode,
            HttpStatusCode.Unauthorized
        );

        TestContext.Current.SendDiagnosticMessage(
            $"key revoked by the command line refused after {took.TotalMilliseconds:0} ms"
        );
        Assert.True(took < ApiKeyService.CacheFor, "the key cache was forgotten, not waited out");
    }

    [Fact]
    public async Task A_key_in_use_on_one_instance_and_revoked_on_another_is_refused_by_both()
    {
        await using var first = new ReleaseBoardAppFactory();
        var (_, key) = await first.AddTeamWithKeyAsync("shop");
        await using var second = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = first.ConnectionString }
        );
        using var onSecond = second.CreateApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/teams", Ct)).StatusCode);

        Assert.True(
            (
                await first.Services.GetRequiredService<ApiKeyService>().RevokeAsync("shop-ci", AuditActor.System, Ct)
            ).Succeeded
        );

        await UntilAsync(
            async () => (await onSecond.GetAsync("/api/v1/teams", Ct)).StatusCode,
            HttpStatusCode.Unauthorized
        );
        using var onFirst = first.CreateApiClient(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/api/v1/teams", Ct)).StatusCode);
    }

    [Fact]
    public async Task Demo_data_removed_with_the_command_line_is_forgotten_by_ingestion_at_once()
    {
        await using var app = new ReleaseBoardAppFactory(seedDemoData: true);
        var key = await app
            .Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("everything", null, allTeams: true, AuditActor.System, Ct);
        using var pipeline = app.CreateApiClient(key.Value);
        async Task<HttpStatusCode> PostCatchAsync() =>
            (
                await pipeline.PostAsJsonAsync(
                    "/api/v1/catches",
                    new
                    {
                        service = "payments-api",
                        environment = "staging",
                        severity = 3,
                        title = "found",
                        reportedBy = "test",
                        caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                    },
                    Ct
                )
            ).StatusCode;
        Assert.Equal(HttpStatusCode.Created, await PostCatchAsync()); // the demo service's slug is remembered now

        var cleared = await CommandLineRun.RunAsync(app.ConnectionString, _folder, null, "demo", "clear");
        Assert.True(cleared.Exit == 0, cleared.Err);

        await UntilAsync(PostCatchAsync, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_open_page_of_a_person_whose_role_is_taken_away_on_another_instance_is_signed_out()
    {
        await using var first = new ReleaseBoardAppFactory();
        _ = first.Services;
        await using var second = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["ConnectionStrings:ReleaseBoard"] = first.ConnectionString }
        );
        var users = first.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (
                await users.CreateAsync(
                    "lead@example.test",
                    Roles.Approver,
                    "a long enough passphrase",
                    AuditActor.System
                )
            ).Succeeded
        );
        var page = await OpenPageAsync(second, "lead@example.test");

        Assert.True((await users.SetRoleAsync("lead@example.test", Roles.Viewer, AuditActor.System)).Succeeded);

        await WaitUntilSignedOutAsync(page);
    }

    [Fact]
    public async Task An_open_page_of_a_disabled_account_is_signed_out_and_the_account_cannot_sign_in()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (
                await users.CreateAsync(
                    "gone@example.test",
                    Roles.Approver,
                    "a long enough passphrase",
                    AuditActor.System
                )
            ).Succeeded
        );
        var page = await OpenPageAsync(app, "gone@example.test");

        var disabled = await CommandLineRun.RunAsync(
            app.ConnectionString,
            _folder,
            null,
            "users",
            "disable",
            "--email",
            "gone@example.test"
        );
        Assert.True(disabled.Exit == 0, disabled.Err);

        await WaitUntilSignedOutAsync(page);
        using var client = app.NoRedirects();
        var signIn = await SignIn.PostLoginAsync(client, "gone@example.test", "a long enough passphrase");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode); // the form again, not the redirect of a sign-in
    }

    [Fact]
    public async Task An_open_page_of_a_single_sign_on_session_is_signed_out_when_the_session_ends()
    {
        await using var app = new ReleaseBoardAppFactory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var identity = Assert.IsType<SsoSignIn.Allowed>(
            await app
                .Services.GetRequiredService<SsoIdentities>()
                .SignInAsync("https://idp.example", "sam", "sam@example.test", true, "Sam", Ct)
        );
        var users = new UserAdministration(
            app.Services.GetRequiredService<IServiceScopeFactory>(),
            app.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>(),
            clock,
            app.Services.GetRequiredService<AccessRevocation>()
        );
        var principal = SsoPrincipal(identity, "sam@example.test", Roles.Approver, clock.GetUtcNow());
        using var page = new LiveAuthenticationStateProvider(
            users,
            app.Services.GetRequiredService<AccessRevocation>(),
            clock,
            NullLogger<LiveAuthenticationStateProvider>.Instance
        );
        page.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        page.BeginWatching(); // as a circuit does when it opens
        Assert.True(await users.MayActNowAsync(principal, Policies.Record));

        clock.Advance(TimeSpan.FromHours(7.9));
        Assert.True((await page.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);
        clock.Advance(TimeSpan.FromHours(0.1));

        await WaitUntilSignedOutAsync(page);
        Assert.False(await users.MayActNowAsync(principal, Policies.Record)); // and what it tries is refused
    }

    [Fact]
    public async Task An_open_page_of_a_blocked_single_sign_on_identity_is_signed_out_at_once()
    {
        await using var app = new ReleaseBoardAppFactory();
        var identities = app.Services.GetRequiredService<SsoIdentities>();
        var identity = Assert.IsType<SsoSignIn.Allowed>(
            await identities.SignInAsync("https://idp.example", "kim", "kim@example.test", true, "Kim", Ct)
        );
        var principal = SsoPrincipal(identity, "kim@example.test", Roles.Approver, DateTimeOffset.UtcNow);
        var page = NewPage(app, principal);

        Assert.True((await identities.BlockAsync(identity.IdentityId, true, AuditActor.System)).Succeeded);

        await WaitUntilSignedOutAsync(page);
        Assert.IsType<SsoSignIn.Refused>(
            await identities.SignInAsync("https://idp.example", "kim", "kim@example.test", true, "Kim", Ct)
        );
    }

    [Fact]
    public async Task Failed_passwords_from_a_stranger_lock_new_sign_ins_but_end_no_session()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (
                await users.CreateAsync(
                    "lea@example.test",
                    Roles.Approver,
                    "a long enough passphrase",
                    AuditActor.System
                )
            ).Succeeded
        );
        var identities = app.Services.GetRequiredService<SsoIdentities>();
        var sso = Assert.IsType<SsoSignIn.Allowed>(
            await identities.SignInAsync("https://idp.example", "lea", "lea@example.test", true, "Lea", Ct)
        ); // linked by the verified email
        var local = await OpenPageAsync(app, "lea@example.test");
        var single = SsoPrincipal(sso, "lea@example.test", Roles.Approver, DateTimeOffset.UtcNow);

        using var stranger = app.NoRedirects();
        for (var attempt = 0; attempt < 5; attempt++)
            await SignIn.PostLoginAsync(stranger, "lea@example.test", "a guess " + attempt);

        var signIn = await SignIn.PostLoginAsync(stranger, "lea@example.test", "a long enough passphrase");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode); // locked: the form again, even with the right password
        Assert.True(await users.StillSignedInAsync((await local.GetAuthenticationStateAsync()).User, Ct));
        Assert.True(await users.MayActNowAsync(single, Policies.Record));
        Assert.IsType<SsoSignIn.Allowed>(
            await identities.SignInAsync("https://idp.example", "lea", "lea@example.test", true, "Lea", Ct)
        );
    }

    [Fact]
    public async Task A_single_sign_on_session_ends_when_an_Admin_links_it_and_holds_no_more_than_the_local_role()
    {
        await using var app = new ReleaseBoardAppFactory();
        var users = app.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (
                await users.CreateAsync("max@example.test", Roles.Viewer, "a long enough passphrase", AuditActor.System)
            ).Succeeded
        );
        var identities = app.Services.GetRequiredService<SsoIdentities>();
        // The provider does not vouch for the email: not linked by itself, and refused until an Admin links it.
        Assert.IsType<SsoSignIn.Refused>(
            await identities.SignInAsync("https://idp.example", "max", "max@example.test", false, "Max", Ct)
        );
        var other = Assert.IsType<SsoSignIn.Allowed>(
            await identities.SignInAsync("https://idp.example", "max", "max@other.test", false, "Max", Ct)
        ); // the same subject under another email: its own person
        var page = NewPage(app, SsoPrincipal(other, "max@other.test", Roles.Approver, DateTimeOffset.UtcNow));

        Assert.True((await identities.LinkAsync(other.IdentityId, "max@example.test", AuditActor.System)).Succeeded);

        await WaitUntilSignedOutAsync(page); // it was another person's session until now
        var again = Assert.IsType<SsoSignIn.Allowed>(
            await identities.SignInAsync("https://idp.example", "max", "max@other.test", false, "Max", Ct)
        );
        Assert.NotEqual(other.PersonId, again.PersonId); // the local account's id now: four eyes count one person
        Assert.Equal((Roles.Viewer, Roles.Viewer), (again.LinkedRole, Roles.Lesser(Roles.Approver, again.LinkedRole)));

        var linked = NewPage(app, SsoPrincipal(again, "max@other.test", Roles.Viewer, DateTimeOffset.UtcNow));
        Assert.True((await users.SetRoleAsync("max@example.test", Roles.Approver, AuditActor.System)).Succeeded);
        await WaitUntilSignedOutAsync(linked); // any change to the linked account ends its SSO sessions too
    }

    /// <summary>A single-sign-on session's principal as the sign-in builds it, ending in 8 hours.</summary>
    private static ClaimsPrincipal SsoPrincipal(
        SsoSignIn.Allowed identity,
        string email,
        string role,
        DateTimeOffset now
    )
    {
        var claims = new List<Claim>
        {
            new("email", email),
            new(ClaimTypes.Role, role),
            new(PersonClaims.PersonId, identity.PersonId),
            new(
                PersonClaims.SsoIdentity,
                identity.IdentityId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ),
            new(
                PersonClaims.SessionEnds,
                now.AddHours(8).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            ),
        };
        if (identity.LinkedStamp is not null)
            claims.Add(new(PersonClaims.LinkedStamp, identity.LinkedStamp));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "oidc", "email", ClaimTypes.Role));
    }

    /// <summary>
    /// An open page's sign-in, as a circuit holds it: the local account's principal with its security stamp.
    /// </summary>
    private static async Task<LiveAuthenticationStateProvider> OpenPageAsync(ReleaseBoardAppFactory app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ReleaseBoardUser>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var user = await users.FindByEmailAsync(email);
        var page = NewPage(app, await signIn.CreateUserPrincipalAsync(user!));
        Assert.True((await page.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);
        return page;
    }

    private static LiveAuthenticationStateProvider NewPage(ReleaseBoardAppFactory app, ClaimsPrincipal principal)
    {
        var page = new LiveAuthenticationStateProvider(
            app.Services.GetRequiredService<UserAdministration>(),
            app.Services.GetRequiredService<AccessRevocation>(),
            TimeProvider.System,
            NullLogger<LiveAuthenticationStateProvider>.Instance
        );
        page.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        page.BeginWatching(); // as a circuit does when it opens
        return page;
    }

    private static async Task WaitUntilSignedOutAsync(AuthenticationStateProvider page)
    {
        var watch = Stopwatch.StartNew();
        while ((await page.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated == true)
        {
            Assert.True(watch.Elapsed < Patience, "the open page is still signed in");
            await Task.Delay(50, Ct);
        }
    }
}
