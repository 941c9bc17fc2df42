using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public static class AccessSetup
{
    /// <summary>
    /// Chooses per request: an API key when a Bearer header is sent, else the SSO or the local sign-in cookie.
    /// </summary>
    public const string SelectingScheme = "ReleaseBoard";
    public const string SsoCookieScheme = "ReleaseBoard.Sso";
    public const string OpenIdConnectScheme = "oidc";

    public static WebApplicationBuilder AddReleaseBoardAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services
            .AddOptions<AccessOptions>()
            .BindConfiguration(AccessOptions.SectionName)
            .Validate(
                o => o.SignInAttemptsPerMinute is >= 1 and <= 100_000,
                "Access:SignInAttemptsPerMinute must be 1 to 100000."
            )
            .ValidateOnStart();
        services.AddSignInRateLimit();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName);
        var sso = builder.Configuration.GetSection(OpenIdConnectSettings.SectionName).Get<OpenIdConnectSettings>()
            ?? new OpenIdConnectSettings();
        services.AddSingleton(sso);
        // The SSO button's form posts to the provider, so the content security policy must allow it.
        if (sso.IsEnabled && Uri.TryCreate(sso.Authority, UriKind.Absolute, out var authority))
            services.Configure<FormTargets>(t => t.Origins.Add(authority.GetLeftPart(UriPartial.Authority)));

        services.AddMemoryCache();
        services.AddSingleton<AccessRevocation>();
        services.AddSingleton<IStoredChangeWatch>(provider => provider.GetRequiredService<AccessRevocation>());
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<DisplayLinkService>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<SsoIdentities>();
        services.AddScoped<SignInTiming>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<
            Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider,
            LiveAuthenticationStateProvider
        >();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, LiveSignInCircuitHandler>();

        var authentication = services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = SelectingScheme;
                options.DefaultChallengeScheme = SelectingScheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(SelectingScheme, "Cookie or API key", options => options.ForwardDefaultSelector =
                    context =>
                        ApiKeyAuthenticationHandler.TryReadBearer(context.Request, out _) ? ApiKeyClaims.Scheme
                        : sso.IsEnabled && context.Request.Cookies.ContainsKey(SsoCookieName) ? SsoCookieScheme
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyClaims.Scheme, null);
        authentication.AddIdentityCookies();
        services.ConfigureApplicationCookie(options => ConfigureCookie(options, ".ReleaseBoard.Auth"));
        // Requests re-read the account at most a second after they last did: a role taken away, a password reset or a
        // disabled account stops a browser's requests within a second (open pages hear of it through AccessRevocation).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = RecheckEvery);

        services
            .AddIdentityCore<ReleaseBoardUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                // Length over composition rules (NIST SP 800-63B): a long passphrase is fine without digits.
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequiredUniqueChars = 4;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ReleaseBoardDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        if (sso.IsEnabled)
            AddSingleSignOn(authentication, sso);

        services.AddSingleton<IAuthorizationHandler, ViewRequirementHandler>();
        services
            .AddAuthorizationBuilder()
            .AddPolicy(Policies.View, policy => policy.AddRequirements(new ViewRequirement(allowApiKeys: false)))
            .AddPolicy(Policies.Read, policy => policy.AddRequirements(new ViewRequirement(allowApiKeys: true)))
            .AddPolicy(Policies.Person, policy =>
                policy.RequireAuthenticatedUser().RequireAssertion(context => !context.User.IsApiKey())
            )
            .AddPolicy(Policies.Record, policy => policy.RequireRole(Roles.Approver, Roles.Admin))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Ingest, policy =>
                policy
                    .AddAuthenticationSchemes(ApiKeyClaims.Scheme)
                    .RequireAssertion(context => context.User.IsApiKey())
            );
        return builder;
    }

    private const string SsoCookieName = ".ReleaseBoard.Sso";

    private static void ConfigureCookie(CookieAuthenticationOptions options, string name)
    {
        options.Cookie.Name = name;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/account/login";
        options.LogoutPath = "/account/logout";
        options.AccessDeniedPath = "/account/access-denied";
        options.ExpireTimeSpan = TimeSpan.FromDays(7);
        options.SlidingExpiration = true;
        // Machines get status codes, people get pages.
        options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// OpenID Connect beside local accounts: SSO users get a cookie of their own (no security stamp to check), roles
    /// through the role map, and a stable id (<see cref="SsoIdentities"/>).
    /// </summary>
    private static void AddSingleSignOn(AuthenticationBuilder authentication, OpenIdConnectSettings sso)
    {
        authentication.AddCookie(SsoCookieScheme, options =>
        {
            ConfigureCookie(options, SsoCookieName);
            // The provider's roles are read at sign-in only, so the session ends after its lifetime and never slides;
            // open pages stop acting at that moment too (LiveAuthenticationStateProvider).
            options.ExpireTimeSpan = sso.SessionLifetime;
            options.SlidingExpiration = false;
            options.Events.OnValidatePrincipal = RecheckSsoSessionAsync;
        });
        authentication.AddOpenIdConnect(OpenIdConnectScheme, sso.DisplayName, options =>
        {
            options.Authority = sso.Authority;
            options.ClientId = sso.ClientId;
            options.ClientSecret = sso.ClientSecret;
            options.RequireHttpsMetadata = sso.RequireHttpsMetadata;
            options.ResponseType = "code";
            options.UsePkce = true;
            options.SaveTokens = false;
            options.SignInScheme = SsoCookieScheme;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Scope.Add("email");
            options.MapInboundClaims = false;
            options.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            options.ClaimActions.MapJsonKey(sso.RoleClaim, sso.RoleClaim);
            options.TokenValidationParameters.NameClaimType = "email";
            options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
            options.Events.OnTicketReceived = context => CompleteSignInAsync(context, sso);
            options.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/account/login?sso=failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>
    /// After the provider vouched for someone (id token and user info in): who they are here, or a refusal shown on
    /// the login page. Roles come from the configured claim; the session's end is written into it for open pages.
    /// </summary>
    private static async Task CompleteSignInAsync(TicketReceivedContext context, OpenIdConnectSettings sso)
    {
        if (
            context.Principal?.Identity is not ClaimsIdentity identity
            || identity.FindFirst("iss")?.Value is not { } issuer
            || identity.FindFirst("sub")?.Value is not { } subject
        )
        {
            Refuse(context, "failed");
            return;
        }
        var services = context.HttpContext.RequestServices;
        var email = identity.FindFirst("email")?.Value;
        var verified = string.Equals(
            identity.FindFirst("email_verified")?.Value,
            "true",
            StringComparison.OrdinalIgnoreCase
        );
        var outcome = await services
            .GetRequiredService<SsoIdentities>()
            .SignInAsync(
                issuer,
                subject,
                email,
                verified,
                identity.FindFirst("name")?.Value,
                context.HttpContext.RequestAborted
            );
        if (outcome is not SsoSignIn.Allowed allowed)
        {
            Refuse(context, ((SsoSignIn.Refused)outcome).Code);
            return;
        }
        var provided = MapRoles(identity.FindAll(sso.RoleClaim).Select(c => c.Value), sso.RoleMap).ToList();
        // A linked person holds no more than their local account (an Admin's demotion there counts here too).
        var role = allowed.LinkedRole is null
            ? Roles.Greatest(provided)
            : Roles.Lesser(Roles.Greatest(provided), allowed.LinkedRole);
        foreach (var existing in identity.FindAll(ClaimTypes.Role).ToList())
            identity.RemoveClaim(existing);
        if (role is not null)
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        if (allowed.LinkedStamp is not null)
            identity.AddClaim(new Claim(PersonClaims.LinkedStamp, allowed.LinkedStamp));
        var ends = services.GetRequiredService<TimeProvider>().GetUtcNow() + sso.SessionLifetime;
        identity.AddClaim(new Claim(PersonClaims.PersonId, allowed.PersonId));
        identity.AddClaim(
            new Claim(
                PersonClaims.SsoIdentity,
                allowed.IdentityId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            )
        );
        identity.AddClaim(
            new Claim(
                PersonClaims.SessionEnds,
                ends.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            )
        );
        if (context.Properties is { } properties)
            (properties.IssuedUtc, properties.ExpiresUtc) = (null, ends);
    }

    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An SSO cookie has no security stamp, so the identity is re-read at most a second after the last look (never
    /// renewing the session); a blocked, disabled or ended one is signed out everywhere.
    /// </summary>
    private static async Task RecheckSsoSessionAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var cache = services.GetRequiredService<IMemoryCache>();
        var key =
            "sso-checked:"
            + context.Principal?.FindFirstValue(PersonClaims.SsoIdentity)
            + ":"
            + context.Principal?.FindFirstValue(PersonClaims.SessionEnds);
        if (cache.TryGetValue(key, out _))
            return;
        var users = services.GetRequiredService<UserAdministration>();
        if (
            context.Principal is null
            || !await users.StillSignedInAsync(context.Principal, context.HttpContext.RequestAborted)
        )
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SsoCookieScheme);
            return;
        }
        cache.Set(key, true, RecheckEvery);
    }

    private static void Refuse(TicketReceivedContext context, string code)
    {
        context.Response.Redirect($"/account/login?sso={Uri.EscapeDataString(code)}");
        context.HandleResponse();
    }

    /// <summary>The stable id of a person known only by single sign-on: the provider and its id for them.</summary>
    public static string SsoPersonId(string issuer, string subject) => $"sso/{issuer}#{subject}";

    /// <summary>
    /// Identity-provider values to ReleaseBoard roles; unknown values and unknown target roles are ignored.
    /// </summary>
    public static IReadOnlyList<string> MapRoles(
        IEnumerable<string> providerValues,
        IReadOnlyDictionary<string, string> roleMap
    ) =>
        providerValues
            .Select(value => roleMap.TryGetValue(value, out var role) ? Roles.Parse(role) : null)
            .OfType<string>()
            .Distinct()
            .ToList();
}

/// <summary>
/// Reading the boards: any role, or anyone when anonymous viewing is on. API keys read only where the requirement
/// allows them (the API), never the pages.
/// </summary>
public sealed class ViewRequirement(bool allowApiKeys) : IAuthorizationRequirement
{
    public bool AllowApiKeys { get; } = allowApiKeys;
}

public sealed class ViewRequirementHandler(IOptionsMonitor<AccessOptions> access)
    : AuthorizationHandler<ViewRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewRequirement requirement)
    {
        var user = context.User;
        var allowed = user.IsApiKey()
            ? requirement.AllowApiKeys
            : access.CurrentValue.AllowAnonymousViewing || Roles.All.Any(user.IsInRole);
        if (allowed)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
