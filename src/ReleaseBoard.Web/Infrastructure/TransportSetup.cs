using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>Bound from "Transport": how ReleaseBoard sits behind a TLS-terminating reverse proxy.</summary>
public sealed class TransportOptions
{
    public const string SectionName = "Transport";

    /// <summary>
    /// Proxies whose X-Forwarded-For/-Proto/-Host are believed (IP addresses); loopback always is. Anyone else's are
    /// ignored, so a client cannot claim another address (and escape the sign-in limit) or claim HTTPS.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies, in CIDR notation (e.g. 10.0.0.0/8 for a cluster's ingress).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Answer plain HTTP with a redirect to HTTPS (when no proxy does it already).</summary>
    public bool HttpsRedirect { get; set; }

    /// <summary>
    /// The address people reach ReleaseBoard at (e.g. https://releaseboard.example.com): display links and links in
    /// notifications are built from it, never from a request's Host header.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Who may frame ReleaseBoard's pages (CSP frame-ancestors): none, unless a dashboard must embed a wall.
    /// </summary>
    public string FrameAncestors { get; set; } = "'none'";

    public Uri? PublicBase => Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) ? uri : null;

    // An empty entry means none: compose passes an unset variable as an empty value.
    internal IEnumerable<string> Proxies => NonEmpty(KnownProxies);
    internal IEnumerable<string> Networks => NonEmpty(KnownNetworks);

    private static IEnumerable<string> NonEmpty(List<string> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim());

    internal IEnumerable<string> Problems()
    {
        foreach (var proxy in Proxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return $"Transport:KnownProxies has \"{proxy}\", which is not an IP address.";
        foreach (var network in Networks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return $"Transport:KnownNetworks has \"{network}\", which is not a network such as 10.0.0.0/8.";
        if (
            !string.IsNullOrEmpty(PublicBaseUrl)
            && (
                PublicBase is not { Scheme: "https" or "http" } uri
                || !string.IsNullOrEmpty(uri.Query)
                || !string.IsNullOrEmpty(uri.Fragment)
            )
        )
            yield return $"Transport:PublicBaseUrl \"{PublicBaseUrl}\" is not an http(s) address without query or "
                + "fragment.";
    }
}

/// <summary>
/// Origins other than this one that the app's forms may post to (the sign-in provider, when there is one).
/// </summary>
public sealed class FormTargets
{
    public List<string> Origins { get; } = [];
}

/// <summary>
/// Production transport: forwarded headers from known proxies only, cookies always Secure outside Development, HSTS,
/// optional HTTPS redirection, and on every response a Content-Security-Policy as strict as Blazor Server, MudBlazor
/// and apexcharts allow, with nosniff, a referrer policy and frame-ancestors.
/// </summary>
public static class TransportSetup
{
    public const string NonceItem = "releaseboard.csp-nonce";

    /// <summary>The API reference (Scalar), the one page whose own scripts need inline code.</summary>
    public const string ApiReferencePath = "/docs/api";

    public static WebApplicationBuilder AddReleaseBoardTransport(this WebApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<TransportOptions>()
            .BindConfiguration(TransportOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TransportOptions>, TransportValidation>();
        builder
            .Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<TransportOptions>>(
                (forwarded, transport) =>
                {
                    forwarded.ForwardedHeaders =
                        ForwardedHeaders.XForwardedFor
                        | ForwardedHeaders.XForwardedProto
                        | ForwardedHeaders.XForwardedHost;
                    // Loopback is known by default; the settings add the proxies actually in front.
                    foreach (var proxy in transport.Value.Proxies)
                        forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                    foreach (var network in transport.Value.Networks)
                        forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            );
        var development = builder.Environment.IsDevelopment();
        // Outside Development every cookie (sign-in, SSO, antiforgery, the OIDC correlation) is Secure, whatever
        // scheme a request arrived with: behind a proxy the browser's side is HTTPS.
        builder.Services.Configure<CookiePolicyOptions>(options =>
        {
            options.Secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
            options.HttpOnly = HttpOnlyPolicy.None; // each cookie says so itself (the antiforgery one must, and does)
        });
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = false; // other services under the domain are not ours to decide for
        });
        return builder;
    }

    /// <summary>
    /// First in the pipeline: later middleware sees the client's address and scheme, not the proxy's.
    /// </summary>
    public static void UseReleaseBoardTransport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var transport = app.Services.GetRequiredService<IOptions<TransportOptions>>().Value;
        if (!app.Environment.IsDevelopment())
            app.UseHsts();
        if (transport.HttpsRedirect)
            app.UseHttpsRedirection();
        app.UseCookiePolicy();
        var formTargets = app.Services.GetRequiredService<IOptions<FormTargets>>().Value.Origins;
        app.Use(
            (context, next) =>
            {
                // Hex, not base64: nothing in it for HTML attribute encoding to change.
                var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                context.Items[NonceItem] = nonce;
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "no-referrer";
                    headers["Cross-Origin-Opener-Policy"] = "same-origin";
                    headers.ContentSecurityPolicy = ContentSecurityPolicy(
                        context,
                        nonce,
                        transport.FrameAncestors,
                        formTargets
                    );
                    return Task.CompletedTask;
                });
                return next(context);
            }
        );
    }

    /// <summary>
    /// Scripts from here only (the import map by nonce); styles inline, since MudBlazor and apexcharts set them. Forms
    /// post here and to the SSO provider; the API reference alone needs inline script.
    /// </summary>
    private static string ContentSecurityPolicy(
        HttpContext context,
        string nonce,
        string frameAncestors,
        IReadOnlyList<string> formTargets
    )
    {
        var scripts = context.Request.Path.StartsWithSegments(ApiReferencePath)
            ? "'self' 'unsafe-inline'"
            : $"'self' 'nonce-{nonce}'";
        var forms = string.Join(' ', ["'self'", .. formTargets]);
        return $"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + $"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action {forms}; "
            + $"frame-ancestors {frameAncestors}";
    }

    /// <summary>The nonce of this response's policy, for the one inline script of the page (the import map).</summary>
    public static string? CspNonce(this HttpContext context) => context.Items[NonceItem] as string;

    private sealed class TransportValidation : IValidateOptions<TransportOptions>
    {
        public ValidateOptionsResult Validate(string? name, TransportOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems)
                : ValidateOptionsResult.Success;
    }
}
