using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Data;
using ReleaseBoard.Tests.Support;
using static ReleaseBoard.Tests.Features.Access.Principal;

namespace ReleaseBoard.Tests.Features.Access;

/// <summary>
/// Every protected page and endpoint × every kind of caller, checked over HTTP, so on the server: what is allowed
/// answers, what is not is refused (a sign-in redirect for people without a session, 403 / an access-denied page
/// for the wrong role or team, 401 for a bad key).
/// </summary>
public class AccessMatrixTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private const string SignIn = "sign-in";
    private const string Denied = "denied";
    private const string Ok = "ok";

    /// <summary>
    /// Who may open a page: the policy each routable page must declare, and what each caller then gets.
    /// </summary>
    private enum Access
    {
        Public,
        SignedIn,
        View,
        Record,
        Admin,
    }

    /// <summary>
    /// Every page the router knows, with the access it must have. A page added without a line here fails
    /// <see cref="Every_routable_page_states_the_access_it_is_tested_for"/>: none can be forgotten by this matrix.
    /// </summary>
    private static readonly Dictionary<string, Access> Expected = new()
    {
        ["/"] = Access.View,
        ["/wall/{TeamSlug}"] = Access.View,
        ["/definitions"] = Access.View,
        ["/trends"] = Access.View,
        ["/pipelines"] = Access.View,
        ["/pipelines/audit"] = Access.View,
        ["/catches/new"] = Access.Record,
        ["/incidents/new"] = Access.Record,
        ["/admin/users"] = Access.Admin,
        ["/admin/api-keys"] = Access.Admin,
        ["/admin/display-links"] = Access.Admin,
        ["/admin/webhooks"] = Access.Admin,
        ["/admin/windows"] = Access.Admin,
        ["/admin/notifications"] = Access.Admin,
        ["/admin/audit"] = Access.Admin,
        ["/admin/demo-data"] = Access.Admin,
        ["/admin/catalog"] = Access.Admin,
        ["/admin/import"] = Access.Admin,
        ["/account/password"] = Access.SignedIn,
        ["/account/login"] = Access.Public,
        ["/account/access-denied"] = Access.Public,
        ["/display"] = Access.Public,
        ["/not-found"] = Access.Public,
        ["/Error"] = Access.Public,
    };

    /// <summary>
    /// The route templates of every routable component, as the router finds them in the app's assembly.
    /// </summary>
    private static IEnumerable<(string Template, Type Page)> RoutablePages() =>
        typeof(Program)
            .Assembly.GetTypes()
            .SelectMany(t =>
                t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), inherit: false)
                    .Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
                    .Select(r => (r.Template, t))
            );

    [Fact]
    public void Every_routable_page_states_the_access_it_is_tested_for()
    {
        var pages = RoutablePages().ToList();

        Assert.Equal(Expected.Keys.Order(), pages.Select(p => p.Template).Order());
        foreach (var (template, page) in pages)
        {
            var authorize = page.GetCustomAttributes(
                    typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute),
                    true
                )
                .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>()
                .SingleOrDefault();
            var anonymous = page.IsDefined(typeof(Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute), true);
            var declared =
                anonymous ? Access.Public
                : authorize is null ? (Access?)null
                : authorize.Policy switch
                {
                    ReleaseBoard.Web.Features.Access.Policies.Person => Access.SignedIn,
                    ReleaseBoard.Web.Features.Access.Policies.View => Access.View,
                    ReleaseBoard.Web.Features.Access.Policies.Record => Access.Record,
                    ReleaseBoard.Web.Features.Access.Policies.Admin => Access.Admin,
                    var other => throw new InvalidOperationException($"{template}: unknown policy {other}"),
                };
            Assert.True(
                declared == Expected[template],
                $"{template} declares {declared?.ToString() ?? "nothing"}, expected {Expected[template]}"
            );
        }
    }

    /// <summary>Every routable page × every caller. API keys are for the API: pages refuse them.</summary>
    public static TheoryData<string, string, string> PageCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (template, _) in RoutablePages())
        {
            var path = template.Replace("{TeamSlug}", "alpha", StringComparison.Ordinal);
            var access = Expected.GetValueOrDefault(template, Access.Public);
            foreach (var principal in Principal.All)
                data.Add(path, principal, Outcome(access, principal, path));
        }
        return data;
    }

    private static string Outcome(Access access, string principal, string path) =>
        (access, principal) switch
        {
            (Access.Public, _) => Ok, // whoever asks, a bad key included: nothing on these pages is anyone's
            (_, RevokedKey or DisplayLinkAsBearer) => "401",
            (_, KeyOfTeam or KeyOfOtherTeam or KeyOfAllTeams) => "403",
            (_, Anonymous) => SignIn,
            (Access.Record, Viewer) or (Access.Admin, Viewer or Approver) => Denied,
            _ => Ok,
        };

    [Theory]
    [MemberData(nameof(PageCases))]
    public async Task Pages_answer_each_caller_as_designed(string path, string principal, string expected)
    {
        var response = await fixture.ClientFor(principal).GetAsync(path, TestContext.Current.CancellationToken);

        AssertOutcome(response, expected, $"{principal} GET {path}");
    }

    [Fact]
    public async Task The_display_page_served_over_HTTP_carries_no_wall_data()
    {
        // Whatever a request says, the server answers the same shell: the walls come only over a circuit that proved
        // the token.
        var html = await fixture.ClientFor(Anonymous).GetStringAsync("/display", TestContext.Current.CancellationToken);

        Assert.Contains("data-testid=\"display-connecting\"", html);
        Assert.DoesNotContain("data-testid=\"days-since\"", html);
    }

    [Fact]
    public async Task A_display_link_opens_nothing_else()
    {
        var client = fixture.App.NoRedirects();
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.GetAsync("/display", TestContext.Current.CancellationToken)).StatusCode
        );
        Assert.Empty(client.DefaultRequestHeaders.Authorization?.ToString() ?? "");

        foreach (var path in new[] { "/", "/wall/alpha", "/wall/beta", "/catches/new", "/admin/users" })
            AssertOutcome(
                await client.GetAsync(path, TestContext.Current.CancellationToken),
                SignIn,
                $"after the display link, GET {path}"
            );
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await client.GetAsync("/api/v1/teams/alpha/sign", TestContext.Current.CancellationToken)).StatusCode
        );
    }

    // Another team's key is told the team or service does not exist (404), as if it did not: it learns nothing.
    public static TheoryData<string, string> ReadApiCases() =>
        new()
        {
            { Anonymous, "401" },
            { Viewer, "200" },
            { Approver, "200" },
            { Admin, "200" },
            { KeyOfTeam, "200" },
            { KeyOfOtherTeam, "404" },
            { KeyOfAllTeams, "200" },
            { RevokedKey, "401" },
            { DisplayLinkAsBearer, "401" },
        };

    [Theory]
    [MemberData(nameof(ReadApiCases))]
    public async Task Reading_a_wall_through_the_API(string principal, string expected)
    {
        var response = await fixture
            .ClientFor(principal)
            .GetAsync("/api/v1/teams/alpha/sign", TestContext.Current.CancellationToken);

        Assert.Equal(expected, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string, string> RecordApiCases() =>
        new()
        {
            // Writes take an API key only: a browser session (any role) is not accepted, so no other site can forge
            // one.
            { Anonymous, "401" },
            { Viewer, "401" },
            { Approver, "401" },
            { Admin, "401" },
            { KeyOfTeam, "201" },
            { KeyOfOtherTeam, "404" },
            { KeyOfAllTeams, "201" },
            { RevokedKey, "401" },
            { DisplayLinkAsBearer, "401" },
        };

    [Theory]
    [MemberData(nameof(RecordApiCases))]
    public async Task Recording_a_catch_through_the_API_stores_it_only_when_allowed(string principal, string expected)
    {
        var title = $"Caught for {principal} {Guid.NewGuid():N}";
        var response = await fixture
            .ClientFor(principal)
            .PostAsJsonAsync(
                "/api/v1/catches",
                new
                {
                    service = "alpha-api",
                    environment = "staging",
                    severity = 2,
                    title,
                    reportedBy = "matrix",
                    caughtAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                },
                TestContext.Current.CancellationToken
            );

        Assert.Equal(expected, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var db = await fixture
            .App.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(
            expected == "201" ? 1 : 0,
            await db.Catches.CountAsync(c => c.Title == title, TestContext.Current.CancellationToken)
        );
    }

    [Theory]
    [MemberData(nameof(ReadApiCases))]
    public async Task Reading_an_environments_promotion_through_the_API(string principal, string expected)
    {
        var response = await fixture
            .ClientFor(principal)
            .GetAsync("/api/v1/environments/alpha-api/production/promotion", TestContext.Current.CancellationToken);

        Assert.Equal(expected, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string, string> PromotionChangeCases() =>
        new()
        {
            // Promotion changes take a person who is an Approver now. API keys are refused whatever their team: four
            // eyes need people, and a pipeline must not switch its own gate on. An Approver gets past the check to the
            // state machine, which refuses Manual → Manual (409), so no case here changes anything for the next.
            { Anonymous, "401" },
            { Viewer, "403" },
            { Approver, "409" },
            { Admin, "409" },
            { KeyOfTeam, "403" },
            { KeyOfOtherTeam, "403" },
            { KeyOfAllTeams, "403" },
            { RevokedKey, "401" },
            { DisplayLinkAsBearer, "401" },
        };

    [Theory]
    [MemberData(nameof(PromotionChangeCases))]
    public async Task Changing_promotion_through_the_API_takes_an_approver_and_never_a_key(
        string principal,
        string expected
    )
    {
        await using var db = await fixture
            .App.Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync(TestContext.Current.CancellationToken);
        var auditBefore = await db.AuditEntries.CountAsync(
            a => a.Action.StartsWith("promotion."),
            TestContext.Current.CancellationToken
        );
        var ct = TestContext.Current.CancellationToken;

        var responses = new[]
        {
            await fixture
                .ClientFor(principal)
                .PostAsJsonAsync(
                    "/api/v1/environments/alpha-api/staging/promotion/manual",
                    new { reason = "matrix" },
                    ct
                ),
            await fixture
                .ClientFor(principal)
                .PostAsJsonAsync(
                    "/api/v1/environments/alpha-api/staging/promotion/pause",
                    new { reason = "matrix" },
                    ct
                ),
            await fixture
                .ClientFor(principal)
                .PostAsJsonAsync("/api/v1/stop-the-line", new { reason = "matrix", team = "beta" }, ct),
        };

        Assert.Equal(
            expected,
            ((int)responses[0].StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Assert.Equal(
            expected,
            ((int)responses[1].StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        // Stopping a line with nothing continuous pauses nothing, and answers 200 to whoever may stop it.
        Assert.Equal(
            expected == "409" ? "200" : expected,
            ((int)responses[2].StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        if (principal is KeyOfTeam or KeyOfAllTeams)
            Assert.Contains("API keys do not change promotion", await responses[0].Content.ReadAsStringAsync(ct));
        Assert.Equal(auditBefore, await db.AuditEntries.CountAsync(a => a.Action.StartsWith("promotion."), ct));
    }

    [Fact]
    public async Task Anonymous_read_only_viewing_can_be_switched_on_and_still_changes_nothing()
    {
        await using var app = new Support.ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Access:AllowAnonymousViewing"] = "true" }
        );
        using var anonymous = app.NoRedirects();

        AssertOutcome(
            await anonymous.GetAsync("/", TestContext.Current.CancellationToken),
            Ok,
            "anonymous viewing GET /"
        );
        AssertOutcome(
            await anonymous.GetAsync("/definitions", TestContext.Current.CancellationToken),
            Ok,
            "anonymous viewing GET /definitions"
        );
        AssertOutcome(
            await anonymous.GetAsync("/catches/new", TestContext.Current.CancellationToken),
            SignIn,
            "anonymous viewing GET /catches/new"
        );
        AssertOutcome(
            await anonymous.GetAsync("/admin/users", TestContext.Current.CancellationToken),
            SignIn,
            "anonymous viewing GET /admin/users"
        );
        var post = await anonymous.PostAsJsonAsync(
            "/api/v1/catches",
            new { title = "x" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        var stop = await anonymous.PostAsJsonAsync(
            "/api/v1/stop-the-line",
            new { reason = "anyone?" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Forbidden, stop.StatusCode); // reading is open to anyone; changing promotion is not
    }

    [Fact]
    public async Task Every_routable_page_states_who_may_open_it()
    {
        // A page without [Authorize] or [AllowAnonymous] would be open to anyone: none may be forgotten.
        var pages = typeof(Program)
            .Assembly.GetTypes()
            .Where(t =>
                t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false).Length > 0
            );

        Assert.All(pages, page =>
            Assert.True(
                page.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.IAuthorizeData), true).Length > 0
                    || page.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.IAllowAnonymous), true).Length
                        > 0,
                $"{page.Name} says nothing about who may open it"
            )
        );
        await Task.CompletedTask;
    }

    private static void AssertOutcome(HttpResponseMessage response, string expected, string what)
    {
        var location = response.Headers.Location?.ToString() ?? "";
        switch (expected)
        {
            case Ok:
                Assert.True(
                    response.StatusCode == HttpStatusCode.OK,
                    $"{what}: expected 200, got {(int)response.StatusCode} {location}"
                );
                break;
            case SignIn:
                Assert.True(
                    response.StatusCode == HttpStatusCode.Redirect
                        && location.Contains("/account/login", StringComparison.Ordinal),
                    $"{what}: expected a sign-in redirect, got {(int)response.StatusCode} {location}"
                );
                break;
            case Denied:
                Assert.True(
                    response.StatusCode == HttpStatusCode.Redirect
                        && location.Contains("/account/access-denied", StringComparison.Ordinal),
                    $"{what}: expected access denied, got {(int)response.StatusCode} {location}"
                );
                break;
            default:
                Assert.True(
                    ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) == expected,
                    $"{what}: expected {expected}, got {(int)response.StatusCode} {location}"
                );
                break;
        }
    }
}
