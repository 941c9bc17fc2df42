using Microsoft.AspNetCore.Http.HttpResults;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// GET /api/v1/teams/{team}/metrics: the trends page's figures as data (JSON, or CSV with Accept: text/csv).
/// </summary>
public static class TrendEndpoints
{
    public sealed record RatioDto(double? Value, int Numerator, int Denominator);

    public sealed record MedianDto(double? Median, int Samples);

    /// <summary>DORA's failed deployment recovery time: over the restored ones, with the open ones counted.</summary>
    public sealed record RecoveryDto(double? MedianHours, double? P90Hours, int Restored, int Open);

    /// <summary>One bucket. Durations carry their unit in the name; undefined figures are null, never 0.</summary>
    public sealed record BucketDto(
        DateOnly LocalStart,
        DateOnly LocalEnd,
        DateTime FromUtc,
        DateTime ToUtc,
        bool Partial,
        DateTime MeasuredToUtc,
        int Failures,
        int ResolvedFailures,
        int OpenFailures,
        double DowntimeHours,
        double? MtbfHours,
        double? MttrMeanMinutes,
        double? MttrMedianMinutes,
        double? MttrP90Minutes,
        int Catches,
        RatioDto CatchRatio,
        double DeploymentsPerDay,
        int SucceededDeployments,
        int DaysCounted,
        MedianDto LeadTimeHours,
        RatioDto ChangeFailureRate,
        MedianDto TimeToRollBackMinutes,
        MedianDto ShelfTimeHours,
        int? DaysSinceAtEnd,
        RecoveryDto FailedDeploymentRecovery,
        RatioDto DeploymentReworkRate
    );

    public sealed record DaysSinceDto(DateOnly Date, int? Days);

    public sealed record CatchDto(DateOnly Date, DateTime CaughtAt, string Title, string Service, int Severity);

    public sealed record ShelfDto(int Versions, DateTime? OldestPassedAt);

    public sealed record MetricsResponse(
        string Team,
        string? Service,
        string TimeZone,
        DateOnly From,
        DateOnly To,
        string Bucket,
        DateTime ComputedAt,
        IReadOnlyList<BucketDto> Buckets,
        IReadOnlyList<DaysSinceDto> DaysSince,
        IReadOnlyList<CatchDto> Catches,
        ShelfDto WaitingNow
    );

    public static RouteGroupBuilder MapTrendEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{team}/metrics", GetTeamMetricsAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetTeamMetrics")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary(
                "Trend figures per bucket (week or month, in the team's time zone): MTBF, MTTR, catch ratio, the four "
                    + "keys, rollback and shelf time."
            )
            .WithDescription(
                "from (inclusive) and to (exclusive) are local ISO dates; or range=30d|90d|12m. Each rate comes with "
                    + "its numerator and denominator. Send Accept: text/csv for the CSV export the trends page offers."
            )
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .WithTags("Teams");
        return api;
    }

    private static async Task<
        Results<Ok<MetricsResponse>, ContentHttpResult, ProblemHttpResult, ValidationProblem>
    > GetTeamMetricsAsync(
        string team,
        string? from,
        string? to,
        string? bucket,
        string? service,
        string? range,
        HttpContext context,
        TrendEngine engine,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        // Another team's is answered as unknown: a key learns nothing of what other teams have.
        if (!context.User.MayActForTeam(team))
            return TypedResults.Problem($"There is no team \"{team}\".", statusCode: StatusCodes.Status404NotFound);
        var (scope, scopeError) = await engine.ResolveScopeAsync(team, service, cancellationToken);
        if (scope is null)
            return TypedResults.Problem(scopeError, statusCode: StatusCodes.Status404NotFound);

        var today = TeamTime.LocalDate(clock.GetUtcNow().UtcDateTime, scope.TimeZone);
        var (parsed, errors) = TrendRange.Parse(range, from, to, bucket, today);
        if (parsed is null)
            return TypedResults.ValidationProblem(errors);

        var report = await engine.ComputeAsync(scope, parsed.From, parsed.To, parsed.Bucket, cancellationToken);
        if (WantsCsv(context.Request))
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{TrendTable.FileName(report)}\"";
            return TypedResults.Text(TrendTable.ToCsv(report), "text/csv; charset=utf-8");
        }
        var shelf = await engine.WaitingOnShelfAsync(scope, cancellationToken);
        return TypedResults.Ok(ToResponse(report, shelf));
    }

    /// <summary>CSV when the caller accepts text/csv (with a quality above 0) and prefers it to JSON.</summary>
    private static bool WantsCsv(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().Accept;
        double Quality(string type) =>
            accepted
                .Where(a => a.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
                .Select(a => a.Quality ?? 1)
                .DefaultIfEmpty(0)
                .Max();
        var csv = Quality("text/csv");
        return csv > 0 && csv >= Quality("application/json");
    }

    public static MetricsResponse ToResponse(TrendReport report, ShelfNow shelf) =>
        new(
            report.Scope.TeamSlug!,
            report.Scope.ServiceSlug,
            report.Scope.TimeZone.Id,
            report.From,
            report.To,
            report.BucketSize.ToString().ToLowerInvariant(),
            report.ComputedAtUtc,
            report
                .Buckets.Select(b => new BucketDto(
                    b.Bucket.LocalStart,
                    b.Bucket.LocalEnd,
                    b.Bucket.FromUtc,
                    b.Bucket.ToUtc,
                    b.IsPartial,
                    b.Reliability.ToUtc,
                    b.Reliability.Failures,
                    b.Reliability.Resolved,
                    b.Reliability.Open,
                    Math.Round(b.Reliability.Downtime.TotalHours, 4),
                    Hours(b.Reliability.Mtbf),
                    Minutes(b.Reliability.MttrMean),
                    Minutes(b.Reliability.MttrMedian),
                    Minutes(b.Reliability.MttrP90),
                    b.Catches,
                    Ratio(b.CatchRatio),
                    Math.Round(b.DeploymentsPerDay, 4),
                    b.SucceededDeployments,
                    b.DaysCounted,
                    new MedianDto(Hours(b.LeadTime.Median), b.LeadTime.Samples),
                    Ratio(b.ChangeFailureRate),
                    new MedianDto(Minutes(b.TimeToRollBack.Median), b.TimeToRollBack.Samples),
                    new MedianDto(Hours(b.ShelfTime.Median), b.ShelfTime.Samples),
                    b.DaysSinceAtEnd,
                    new RecoveryDto(
                        Hours(b.FailedDeploymentRecovery.Median),
                        Hours(b.FailedDeploymentRecovery.P90),
                        b.FailedDeploymentRecovery.Restored,
                        b.FailedDeploymentRecovery.Open
                    ),
                    Ratio(b.ReworkRate)
                ))
                .ToList(),
            report.DaysSince.Select(p => new DaysSinceDto(p.Date, p.Days)).ToList(),
            report
                .CatchMarks.Select(c => new CatchDto(c.Date, c.CaughtAtUtc, c.Title, c.ServiceName, c.Severity))
                .ToList(),
            new ShelfDto(shelf.Versions, shelf.OldestPassedAtUtc)
        );

    private static RatioDto Ratio(Ratio r) =>
        new(r.Value is { } v ? Math.Round(v, 4) : null, r.Numerator, r.Denominator);

    private static double? Hours(TimeSpan? t) => t is { } v ? Math.Round(v.TotalHours, 4) : null;

    private static double? Minutes(TimeSpan? t) => t is { } v ? Math.Round(v.TotalMinutes, 2) : null;
}
