using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// When the database does not answer, machines get 503 with a retry hint instead of a 500: a pipeline's retry loop
/// then does the right thing, and since every write is one transaction, nothing of the refused request was stored.
/// </summary>
public static class DatabaseOutage
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    // SQLite result codes that mean "the database is not there or not usable now", not "this request is wrong":
    // busy, locked, I/O error, full, cannot open, not a database.
    private static readonly HashSet<int> SqliteUnavailable = [5, 6, 10, 13, 14, 26];

    /// <summary>For API requests: turns a database that is away into 503 + Retry-After, as problem+json.</summary>
    public static IApplicationBuilder UseDatabaseOutageAnswers(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception ex) when (IsUnavailable(ex) && !context.Response.HasStarted)
                {
                    context
                        .RequestServices.GetRequiredService<ILoggerFactory>()
                        .CreateLogger(typeof(DatabaseOutage).FullName!)
                        .LogWarning(
                            ex,
                            "The database did not answer {Method} {Path}; answered 503.",
                            context.Request.Method,
                            context.Request.Path
                        );
                    context.Response.Clear();
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(
                        System.Globalization.CultureInfo.InvariantCulture
                    );
                    await TypedResults
                        .Problem(
                            $"The database is not answering just now. Nothing of this request was stored; send it "
                                + $"again in {(int)RetryAfter.TotalSeconds} seconds.",
                            statusCode: StatusCodes.Status503ServiceUnavailable,
                            title: "Database unavailable"
                        )
                        .ExecuteAsync(context);
                }
            }
        );

    public static bool IsUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case SqliteException sqlite when SqliteUnavailable.Contains(sqlite.SqliteErrorCode):
                case DbException { IsTransient: true }:
                case RetryLimitExceededException:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
