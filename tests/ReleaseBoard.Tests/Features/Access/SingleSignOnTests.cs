using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// Single sign-on against a real OpenID Connect provider the test starts (OpenIddict): the whole code flow, browser
/// side played by cookie-keeping clients. Four eyes follow the provider's issuer and subject, not the email it sends;
/// a local account and an SSO identity are one person only when linked.
/// </summary>
public sealed partial class SingleSignOnTests : IAsyncLifetime
{
    private const string Password = "a long enough passphrase";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Uri App = new("https://localhost/");

    private TestIdentityProvider _provider = null!;
    private ReleaseBoardAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        _provider = await TestIdentityProvider.StartAsync(new Uri(App, "/signin-oidc").ToString());
        _app = new ReleaseBoardAppFactory(settings: _provider.Settings);
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        var service = new Service
        {
            Slug = "shop-api",
            Name = "Shop API",
            Team = new Team
            {
                Slug = "shop",
                Name = "Shop",
                TimeZoneId = "Etc/UTC",
                CreatedAt = DateTime.UtcNow,
            },
        };
        db.AddRange(
            new ServiceEnvironment
            {
                Name = "staging",
                Order = 0,
                Service = service,
                PromotionMode = PromotionMode.Continuous,
            },
            new ServiceEnvironment
            {
                Name = "production",
                Order = 1,
                IsProduction = true,
                Service = service,
                RequiredApprovals = 2,
            }
        );
        await db.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>A browser: cookies kept, redirects followed by hand (the provider is another origin).</summary>
    private HttpClient Browser() =>
        _app.CreateClient(
            new WebApplicationFactoryClientOptions
            {
                BaseAddress = App,
                AllowAutoRedirect = false,
                HandleCookies = true,
            }
        );

    /// <summary>
    /// Signs <paramref name="user"/> in through the provider: the login page's SSO button, the provider's authorize
    /// endpoint, its form_post back to /signin-oidc. Returns where ReleaseBoard sends the browser at the end.
    /// </summary>
    private async Task<string> SignInWithProviderAsync(HttpClient browser, ProviderUser user)
    {
        _provider.Next = user;
        var login = await browser.GetStringAsync("/account/login", Ct);
        var token = Hidden(login)["__RequestVerificationToken"];
        var challenge = await browser.PostAsync(
            "/account/sso",
            new FormUrlEncodedContent(
                new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = "/pipelines" }
            ),
            Ct
        );
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(_provider.Authority.ToString(), authorize.ToString());

        using var toProvider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var formPost = await toProvider.GetStringAsync(authorize, Ct);
        var action = WebUtility.HtmlDecode(FormAction().Match(formPost).Groups[1].Value);
        Assert.Equal(new Uri(App, "/signin-oidc").ToString(), action);
        var back = await browser.PostAsync(action, new FormUrlEncodedContent(Hidden(formPost)), Ct);
        return back.Headers.Location?.ToString() ?? $"(status {(int)back.StatusCode})";
    }

    private static Dictionary<string, string> Hidden(string html) => SignIn.HiddenFields(html);

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    private static string Promotion(string action = "") =>
        $"/api/v1/environments/shop-api/production/promotion{action}";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(
            response.StatusCode == expected,
            $"expected {(int)expected}, got {(int)response.StatusCode}: {text}"
        );
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<long> RequestContinuousAsync(HttpClient browser)
    {
        var requested = await JsonAsync(
            await browser.PostAsJsonAsync(Promotion("/request"), new { reason = "quiet" }, Ct),
            HttpStatusCode.OK
        );
        return requested.GetProperty("pendingRequest").GetProperty("id").GetInt64();
    }

    private static async Task<string?> ApproveAsync(HttpClient browser, long request)
    {
        var response = await browser.PostAsJsonAsync(
            $"/api/v1/promotion-requests/{request}/approve",
            new { overrideReason = "watched" },
            Ct
        );
        return response.StatusCode == HttpStatusCode.OK
            ? null
            : JsonDocument
                .Parse(await response.Content.ReadAsStringAsync(Ct))
                .RootElement.GetProperty("code")
                .GetString();
    }

    [Fact]
    public async Task A_provider_user_signs_in_with_the_role_its_groups_map_to_and_a_stable_id()
    {
        using var browser = Browser();

        var landed = await SignInWithProviderAsync(
            browser,
            new ProviderUser("sub-ada", "ada@example.test", true, "release-leads")
        );

        Assert.Equal("/pipelines", landed);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/teams", Ct)).StatusCode);
        await RequestContinuousAsync(browser); // an Approver's action: the role came from "release-leads"
        await using var db = await _app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(Ct);
        var request = await db.PromotionRequests.SingleAsync(Ct);
        Assert.Equal(AccessSetup.SsoPersonId(_provider.Authority.ToString(), "sub-ada"), request.RequestedById);
        Assert.Equal("ada@example.test", request.RequestedBy);
    }

    [Fact]
    public async Task An_email_changed_at_the_provider_is_still_the_same_person_for_four_eyes()
    {
        using var before = Browser();
        await SignInWithProviderAsync(before, new ProviderUser("sub-sam", "sam@old.example", true, "release-leads"));
        var request = await RequestContinuousAsync(before);
        using var after = Browser();

        await SignInWithProviderAsync(after, new ProviderUser("sub-sam", "sam@new.example", true, "release-leads"));

        Assert.Equal("own-request", await ApproveAsync(after, request));
        using var colleague = Browser();
        await SignInWithProviderAsync(
            colleague,
            new ProviderUser("sub-kim", "kim@example.test", true, "release-leads")
        );
        Assert.Null(await ApproveAsync(colleague, request)); // someone else is someone else
    }

    [Fact]
    public async Task A_local_account_and_its_sso_identity_under_another_email_are_one_person_once_linked()
    {
        var users = _app.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (await users.CreateAsync("lee@example.test", Roles.Approver, Password, AuditActor.System)).Succeeded
        );
        using var local = await SignIn.SignedInClientAsync(_app, "lee@example.test", Password);
        var request = await RequestContinuousAsync(local);
        using var sso = Browser();
        await SignInWithProviderAsync(sso, new ProviderUser("sub-lee", "lee.sso@corp.example", true, "release-leads"));
        var identity = (await _app.Services.GetRequiredService<SsoIdentities>().ListAsync(Ct)).Single(i =>
            i.Subject == "sub-lee"
        );

        var linked = await _app
            .Services.GetRequiredService<SsoIdentities>()
            .LinkAsync(identity.Id, "lee@example.test", AuditActor.User("admin", "admin@example.test"));
        Assert.True(linked.Succeeded);
        using var again = Browser();
        await SignInWithProviderAsync(
            again,
            new ProviderUser("sub-lee", "lee.sso@corp.example", true, "release-leads")
        );

        Assert.Equal("own-request", await ApproveAsync(again, request));
    }

    [Fact]
    public async Task An_unverified_email_of_a_local_account_is_refused_and_a_verified_one_links_itself()
    {
        var users = _app.Services.GetRequiredService<UserAdministration>();
        Assert.True(
            (await users.CreateAsync("mo@example.test", Roles.Approver, Password, AuditActor.System)).Succeeded
        );
        using var impostor = Browser();

        var refused = await SignInWithProviderAsync(
            impostor,
            new ProviderUser("sub-x", "mo@example.test", false, "release-leads")
        );

        Assert.Equal("/account/login?sso=unlinked-account", refused);
        Assert.Contains("not linked", WebUtility.HtmlDecode(await impostor.GetStringAsync(refused, Ct)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await impostor.GetAsync("/api/v1/teams", Ct)).StatusCode);

        using var local = await SignIn.SignedInClientAsync(_app, "mo@example.test", Password);
        var request = await RequestContinuousAsync(local);
        using var verified = Browser();
        Assert.Equal(
            "/pipelines",
            await SignInWithProviderAsync(
                verified,
                new ProviderUser("sub-mo", "mo@example.test", true, "release-leads")
            )
        );
        Assert.Equal("own-request", await ApproveAsync(verified, request));
    }

    [Fact]
    public async Task A_blocked_identity_is_refused_on_its_next_request_and_at_its_next_sign_in()
    {
        using var browser = Browser();
        await SignInWithProviderAsync(browser, new ProviderUser("sub-bo", "bo@example.test", true, "engineering"));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/teams", Ct)).StatusCode);
        var identity = (await _app.Services.GetRequiredService<SsoIdentities>().ListAsync(Ct)).Single(i =>
            i.Subject == "sub-bo"
        );

        await _app.Services.GetRequiredService<SsoIdentities>().BlockAsync(identity.Id, true, AuditActor.System);
        await Task.Delay(1100, Ct); // a cookie is looked at again at most a second after the last look

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/teams", Ct)).StatusCode);
        using var again = Browser();
        Assert.Equal(
            "/account/login?sso=blocked",
            await SignInWithProviderAsync(again, new ProviderUser("sub-bo", "bo@example.test", true, "engineering"))
        );
    }
}
