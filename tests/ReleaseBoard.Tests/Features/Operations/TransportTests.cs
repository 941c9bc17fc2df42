using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Features.Operations;

/// <summary>
/// ReleaseBoard behind a TLS-terminating proxy: who is believed about the scheme and the client, cookies, HSTS, and
/// the headers every page carries. (The whole path through a real proxy is a browser test through Caddy.)
/// </summary>
public sealed partial class TransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The app with every request arriving from <paramref name="remote"/>, as Kestrel would report it.
    /// </summary>
    private static WebApplicationFactory<Program> From(ReleaseBoardAppFactory app, string remote) =>
        app.WithWebHostBuilder(builder =>
            builder.ConfigureServices(services =>
                services.AddSingleton<IStartupFilter>(new RemoteAddress(IPAddress.Parse(remote)))
            )
        );

    private sealed class RemoteAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) =>
            app =>
            {
                app.Use(
                    (context, following) =>
                    {
                        context.Connection.RemoteIpAddress = address;
                        return following(context);
                    }
                );
                next(app);
            };
    }

    private static async Task<HttpResponseMessage> GetAsProxiedHttpsAsync(WebApplicationFactory<Program> app)
    {
        using var client = app.CreateClient(
            new WebApplicationFactoryClientOptions
            {
                BaseAddress = new Uri("http://releaseboard.test"),
                AllowAutoRedirect = false,
            }
        );
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");
        return await client.SendAsync(request, Ct);
    }

    [Theory]
    [InlineData("127.0.0.1", null, true)] // loopback: the proxy on this host, known by default
    [InlineData("203.0.113.9", null, false)] // anyone else claiming HTTPS is not believed
    [InlineData("203.0.113.9", "203.0.113.9", true)] // unless named as a proxy
    [InlineData("10.1.2.3", "10.0.0.0/8", true)] // or inside a named network
    [InlineData("203.0.113.9", "", false)] // an empty entry (compose's unset variable) names none, and starts
    public async Task Forwarded_headers_are_believed_from_known_proxies_only(
        string remote,
        string? known,
        bool believed
    )
    {
        var settings = new Dictionary<string, string?>();
        if (known?.Contains('/') == true)
            settings["Transport:KnownNetworks:0"] = known;
        else if (known is not null)
            settings["Transport:KnownProxies:0"] = known;
        await using var app = new ReleaseBoardAppFactory(settings: settings);

        var response = await GetAsProxiedHttpsAsync(From(app, remote));

        // HSTS goes out on HTTPS only: present exactly when the forwarded scheme was believed.
        Assert.Equal(believed, response.Headers.Contains("Strict-Transport-Security"));
        var antiforgery = response
            .Headers.GetValues("Set-Cookie")
            .Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase); // Secure either way
    }

    [Fact]
    public async Task Outside_development_every_cookie_is_secure_even_on_plain_http()
    {
        await using var app = new ReleaseBoardAppFactory();
        await app
            .Services.GetRequiredService<ReleaseBoard.Web.Features.Access.UserAdministration>()
            .CreateAsync(
                "ana@example.test",
                "Viewer",
                "a long enough passphrase",
                ReleaseBoard.Web.Infrastructure.AuditActor.System
            );
        using var client = app.CreateClient(
            new WebApplicationFactoryClientOptions
            {
                BaseAddress = new Uri("http://localhost"),
                AllowAutoRedirect = false,
                HandleCookies = false,
            }
        );
        var page = await client.GetAsync("/account/login", Ct);
        var fields = SignIn.HiddenFields(await page.Content.ReadAsStringAsync(Ct));
        fields["Input.Email"] = "ana@example.test";
        fields["Input.Password"] = "a long enough passphrase";
        using var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        post.Headers.Add(
            "Cookie",
            string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]))
        );

        var signedIn = await client.SendAsync(post, Ct);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(signedIn.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith(".ReleaseBoard.Auth=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/definitions")]
    [InlineData("/api/v1/teams")]
    [InlineData("/healthz")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Access:AllowAnonymousViewing"] = "true" }
        );
        using var client = app.CreateClient();

        var response = await client.GetAsync(path, Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Matches("script-src 'self' 'nonce-[0-9a-f]{32}';", csp);
    }

    [Fact]
    public async Task The_one_inline_script_of_a_page_carries_the_nonce_of_its_policy_and_no_other_does()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?> { ["Access:AllowAnonymousViewing"] = "true" }
        );
        using var client = app.CreateClient();

        var first = await client.GetAsync("/definitions", Ct);
        var second = await client.GetAsync("/definitions", Ct);

        var nonce = Nonce().Match(first.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value;
        var html = await first.Content.ReadAsStringAsync(Ct);
        var importMap = Regex.Match(html, "<script[^>]*type=\"importmap\"[^>]*>").Value;
        Assert.Contains($"nonce=\"{nonce}\"", importMap);
        Assert.Equal(1, Regex.Count(html, "<script(?![^>]*\\bsrc=)"));
        Assert.NotEqual(
            nonce,
            Nonce().Match(second.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value
        );
    }

    [Fact]
    public async Task With_single_sign_on_forms_may_post_to_the_provider_and_nowhere_else()
    {
        await using var app = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                ["Authentication:OpenIdConnect:Authority"] = "https://login.example.test/realms/acme",
                ["Authentication:OpenIdConnect:ClientId"] = "releaseboard",
            }
        );

        var csp = (await app.CreateClient().GetAsync("/account/login", Ct))
            .Headers.GetValues("Content-Security-Policy")
            .Single();

        Assert.Contains("form-action 'self' https://login.example.test;", csp);
    }

    [Theory]
    [InlineData("Transport:PublicBaseUrl", "releaseboard.example.com", "PublicBaseUrl")]
    [InlineData("Transport:PublicBaseUrl", "https://releaseboard.example.com/?x=1", "PublicBaseUrl")]
    [InlineData("Transport:KnownProxies:0", "the proxy", "KnownProxies")]
    [InlineData("Transport:KnownNetworks:0", "10.0.0.0", "KnownNetworks")]
    public void Bad_transport_settings_stop_the_start_and_say_which(string key, string value, string named)
    {
        using var app = new ReleaseBoardAppFactory(settings: new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(named, refused.Message);
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex Nonce();
}
