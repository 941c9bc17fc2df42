using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// Sign-in, SSO start and password change limited per client address (429 with Retry-After): the lockout protects
/// one account, this protects all of them from one client.
/// </summary>
public static class SignInRateLimit
{
    private static readonly string[] LimitedPaths = ["/account/login", "/account/sso", "/account/password"];
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services
            .AddOptions<RateLimiterOptions>()
            .Configure<IOptions<AccessOptions>>(
                (options, access) =>
                {
                    var permits = access.Value.SignInAttemptsPerMinute;
                    options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                        HttpMethods.IsPost(context.Request.Method)
                        // By segment: "/account/login/" and "/Account/Login" reach the same page and count the same.
                        && LimitedPaths.Any(p =>
                            context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)
                        )
                            ? RateLimitPartition.GetFixedWindowLimiter(
                                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                                _ => new FixedWindowRateLimiterOptions
                                {
                                    PermitLimit = permits,
                                    Window = Window,
                                    QueueLimit = 0,
                                }
                            )
                            : RateLimitPartition.GetNoLimiter("unlimited")
                    );
                    options.OnRejected = async (rejected, cancellationToken) =>
                    {
                        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                            ? after
                            : Window;
                        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                        var response = rejected.HttpContext.Response;
                        response.StatusCode = StatusCodes.Status429TooManyRequests;
                        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                        // A person's browser posted the form: answer with a page that leads back, not a bare line.
                        response.ContentType = "text/html; charset=utf-8";
                        await response.WriteAsync(
                            $"""
                            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Too many attempts</title>
                            </head><body><p data-testid="too-many">Too many sign-in attempts from this address.
                            Try again in {seconds} seconds.</p>
                            <p><a href="/account/login">Back to sign-in</a></p></body></html>
                            """,
                            cancellationToken
                        );
                    };
                }
            );
        return services;
    }
}
