using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Access;

public static class AccountEndpoints
{
    /// <summary>Sign-out and the single-sign-on challenge: form posts, antiforgery-checked by the middleware.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").WithTags("Account").ExcludeFromDescription();

        account.MapPost("/logout", SignOutAsync).WithName("SignOut").DisableAntiforgery();
        account.MapPost("/sso", SingleSignOn).WithName("SingleSignOn");
        return app;
    }

    // A form post with the page's antiforgery token: another site cannot sign a person out (nor in) unseen.
    private static async Task<IResult> SignOutAsync(
        HttpContext context,
        SignInManager<ReleaseBoardUser> signIn,
        OpenIdConnectSettings sso,
        IAntiforgery antiforgery
    )
    {
        // The middleware only notes a bad token for an endpoint that binds no form; this one checks it.
        if (!await antiforgery.IsRequestValidAsync(context))
            return Results.BadRequest("Sign out from ReleaseBoard's own page (the form carries a token).");
        await signIn.SignOutAsync();
        if (sso.IsEnabled)
            await context.SignOutAsync(AccessSetup.SsoCookieScheme);
        return Results.LocalRedirect("/account/login");
    }

    private static IResult SingleSignOn(OpenIdConnectSettings sso, [FromForm] string? returnUrl) =>
        sso.IsEnabled
            ? Results.Challenge(
                new AuthenticationProperties { RedirectUri = LocalUrl.OrHome(returnUrl) },
                [AccessSetup.OpenIdConnectScheme]
            )
            : Results.NotFound();
}
