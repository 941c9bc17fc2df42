using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Access;

public static class AccessSetup
{
    /// <summary>Chooses per request: an API key when a Bearer header is sent, else the SSO or the local sign-in cookie.</summary>
    public const string SelectingScheme = "ReleaseBoard";
    public const string SsoCookieScheme = "ReleaseBoard.Sso";
    public const string OpenIdConnectScheme = "oidc";

    public static WebApplicationBuilder AddReleaseBoardAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName);
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName);
        var sso = builder.Configuration.GetSection(OpenIdConnectSettings.SectionName).Get<OpenIdConnectSettings>() ?? new OpenIdConnectSettings();
        services.AddSingleton(sso);

        services.AddMemoryCache();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<DisplayLinkService>();
        services.AddSingleton<UserAdministration>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();

        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = SelectingScheme;
                options.DefaultChallengeScheme = SelectingScheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(SelectingScheme, "Cookie or API key", options => options.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.TryReadBearer(context.Request, out _) ? ApiKeyClaims.Scheme
                : sso.IsEnabled && context.Request.Cookies.ContainsKey(SsoCookieName) ? SsoCookieScheme
                : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyClaims.Scheme, null);
        authentication.AddIdentityCookies();
        services.ConfigureApplicationCookie(options => ConfigureCookie(options, ".ReleaseBoard.Auth"));
        // Requests re-read the account every minute: a role taken away stops working within a minute, not half an hour.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddIdentityCore<ReleaseBoardUser>(options =>
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

        if (sso.IsEnabled) AddSingleSignOn(authentication, sso);

        services.AddSingleton<IAuthorizationHandler, ViewRequirementHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.View, policy => policy.AddRequirements(new ViewRequirement(allowApiKeys: false)))
            .AddPolicy(Policies.Read, policy => policy.AddRequirements(new ViewRequirement(allowApiKeys: true)))
            .AddPolicy(Policies.Record, policy => policy.RequireRole(Roles.Approver, Roles.Admin))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Ingest, policy => policy
                .AddAuthenticationSchemes(ApiKeyClaims.Scheme)
                .RequireAssertion(context => context.User.IsApiKey()));
        return builder;
    }

    private const string SsoCookieName = ".ReleaseBoard.Sso";

    /// <summary>How long a single-sign-on session lasts before the identity provider is asked again.</summary>
    public static readonly TimeSpan SsoSessionLifetime = TimeSpan.FromHours(8);

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
        if (context.Request.Path.StartsWithSegments("/api")) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// OpenID Connect beside local accounts. SSO users get their own cookie (they have no local account whose
    /// security stamp Identity could check) and their roles from the configured claim through the role map.
    /// </summary>
    private static void AddSingleSignOn(AuthenticationBuilder authentication, OpenIdConnectSettings sso)
    {
        authentication.AddCookie(SsoCookieScheme, options =>
        {
            ConfigureCookie(options, SsoCookieName);
            // A single-sign-on user has no local account to re-check: the identity provider's roles are read at each
            // sign-in. So the session ends after a working day, never slides, and a role taken away at the provider
            // stops working by the next sign-in at the latest (which the provider usually completes without a prompt).
            options.ExpireTimeSpan = SsoSessionLifetime;
            options.SlidingExpiration = false;
        });
        authentication.AddOpenIdConnect(OpenIdConnectScheme, sso.DisplayName, options =>
        {
            options.Authority = sso.Authority;
            options.ClientId = sso.ClientId;
            options.ClientSecret = sso.ClientSecret;
            options.ResponseType = "code";
            options.UsePkce = true;
            options.SaveTokens = false;
            options.SignInScheme = SsoCookieScheme;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Scope.Add("email");
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "email";
            options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
            options.Events.OnTokenValidated = context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity)
                {
                    foreach (var role in MapRoles(identity.FindAll(sso.RoleClaim).Select(c => c.Value), sso.RoleMap))
                        identity.AddClaim(new Claim(ClaimTypes.Role, role));
                    // Emails change at the provider; the issuer and subject of the id token do not.
                    if (identity.FindFirst("iss")?.Value is { } issuer && identity.FindFirst("sub")?.Value is { } subject)
                        identity.AddClaim(new Claim(PersonClaims.PersonId, SsoPersonId(issuer, subject)));
                }
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>The stable id of a person known only by single sign-on: the provider and its id for them.</summary>
    public static string SsoPersonId(string issuer, string subject) => $"sso/{issuer}#{subject}";

    /// <summary>Identity-provider values to ReleaseBoard roles; unknown values and unknown target roles are ignored.</summary>
    public static IReadOnlyList<string> MapRoles(IEnumerable<string> providerValues, IReadOnlyDictionary<string, string> roleMap) =>
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

public sealed class ViewRequirementHandler(IOptionsMonitor<AccessOptions> access) : AuthorizationHandler<ViewRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewRequirement requirement)
    {
        var user = context.User;
        var allowed = user.IsApiKey()
            ? requirement.AllowApiKeys
            : access.CurrentValue.AllowAnonymousViewing || Roles.All.Any(user.IsInRole);
        if (allowed) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
