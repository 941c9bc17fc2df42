using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Catches;

public static class CatchEndpoints
{
    /// <param name="Service">The service's slug within the team.</param>
    /// <param name="Environment">The pre-production environment's name, e.g. "staging".</param>
    /// <param name="CaughtAt">ISO 8601 with an offset, e.g. 2026-11-27T09:30:00Z.</param>
    public sealed record RecordCatchRequest(
        string? Service, string? Environment, int? Severity, string? Title, string? Description, string? Version,
        string? ReportedBy, DateTimeOffset? CaughtAt, string? Source, string? ExternalId);

    public sealed record CatchCreated(long Id, bool AlreadyRecorded);

    /// <summary>POST /api/v1/teams/{team}/catches: record a catch. With source + externalId, sending it again changes nothing.</summary>
    public static RouteGroupBuilder MapCatchEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/teams/{team}/catches", async Task<Results<Created<CatchCreated>, Ok<CatchCreated>, ValidationProblem, NotFound, ForbidHttpResult>> (
                string team, RecordCatchRequest request, HttpContext context, CatchRecorder recorder,
                IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, CancellationToken cancellationToken) =>
            {
                if (!context.User.MayActForTeam(team)) return TypedResults.Forbid();

                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var teamId = await db.Teams.Where(t => t.Slug == team).Select(t => (int?)t.Id).SingleOrDefaultAsync(cancellationToken);
                if (teamId is null) return TypedResults.NotFound();

                var source = string.IsNullOrWhiteSpace(request.Source) ? CatchSources.Api : request.Source.Trim();
                var externalId = string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();
                if (externalId is not null)
                {
                    var existing = await db.Catches.Where(c => c.Source == source && c.ExternalId == externalId && c.Service.TeamId == teamId)
                        .Select(c => (long?)c.Id).SingleOrDefaultAsync(cancellationToken);
                    if (existing is { } id) return TypedResults.Ok(new CatchCreated(id, AlreadyRecorded: true));
                }

                var service = await db.Services.Where(s => s.TeamId == teamId && s.Slug == request.Service)
                    .Select(s => new { s.Id, Environment = s.Environments.Where(e => e.Name == request.Environment).Select(e => (int?)e.Id).FirstOrDefault() })
                    .SingleOrDefaultAsync(cancellationToken);
                var errors = new Dictionary<string, string[]>();
                if (service is null) errors["service"] = [$"There is no service \"{request.Service}\" in team {team}."];
                else if (service.Environment is null) errors["environment"] = [$"Service {request.Service} has no environment \"{request.Environment}\"."];
                if (request.Severity is null) errors["severity"] = ["Give a severity, 1 (worst) to 4."];
                if (request.CaughtAt is null) errors["caughtAt"] = ["Give when it was caught, ISO 8601 with an offset."];
                if (source.Length > 64) errors["source"] = ["At most 64 characters."];
                if (externalId is { Length: > 200 }) errors["externalId"] = ["At most 200 characters."];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

                var result = await recorder.RecordAsync(new RecordCatchCommand(
                    service!.Id, service.Environment!.Value, request.Severity!.Value, request.Title, request.Description, request.Version,
                    request.ReportedBy, request.CaughtAt!.Value.UtcDateTime, source, externalId), context.User.ToAuditActor(), cancellationToken);
                if (!result.Succeeded)
                    return TypedResults.ValidationProblem(result.Errors.ToDictionary(e => ApiFieldName(e.Key), e => e.Value));
                return TypedResults.Created($"/api/v1/catches/{result.CatchId}", new CatchCreated(result.CatchId!.Value, AlreadyRecorded: false));
            })
            .RequireAuthorization(Policies.Ingest)
            .WithName("RecordCatch")
            .WithSummary("Record a defect caught before production; it resets the team's wall.")
            .WithTags("Catches");
        return api;
    }

    private static string ApiFieldName(string commandField) => commandField switch
    {
        nameof(RecordCatchCommand.CaughtAtUtc) => "caughtAt",
        nameof(RecordCatchCommand.ServiceId) => "service",
        nameof(RecordCatchCommand.EnvironmentId) => "environment",
        _ => char.ToLowerInvariant(commandField[0]) + commandField[1..],
    };
}
