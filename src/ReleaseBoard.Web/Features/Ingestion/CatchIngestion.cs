using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// Catches through the API: the same rules as the form (<see cref="CatchRecorder"/>), and replays return the stored
/// catch.
/// </summary>
public sealed class CatchIngestion(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    CatchRecorder recorder,
    ServiceResolver services
)
{
    public async Task<IngestOutcome<CatchItem>> IngestAsync(
        CatchRequest request,
        ClaimsPrincipal caller,
        CancellationToken cancellationToken
    )
    {
        if (Validate(request) is { } invalid)
            return invalid;
        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        var (service, refusal) = await services.ResolveAsync<CatchItem>(
            db,
            request.Service!.Trim(),
            caller,
            cancellationToken
        );
        if (service is null)
            return refusal!;
        return await IngestAsync(db, service, request, caller.ToAuditActor(), cancellationToken);
    }

    /// <summary>For a service a webhook already resolved (and checked its owner); the same rules as the API.</summary>
    public async Task<IngestOutcome<CatchItem>> IngestForServiceAsync(
        ResolvedService service,
        CatchRequest request,
        AuditActor actor,
        CancellationToken cancellationToken
    )
    {
        if (Validate(request) is { } invalid)
            return invalid;
        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        return await IngestAsync(db, service, request, actor, cancellationToken);
    }

    private static IngestOutcome<CatchItem>.Invalid? Validate(CatchRequest request)
    {
        var errors = new FieldErrors(EventFields.CatchLabels);
        errors.Required(EventFields.Service, request.Service);
        errors.Required(EventFields.Environment, request.Environment);
        errors.Required(EventFields.Severity, request.Severity);
        errors.Required(EventFields.CaughtAt, request.CaughtAt);
        // Checked before the lookups too: an overlong source must not reach the duplicate check's query.
        errors.MaxLength(EventFields.Source, request.Source, EventRules.SourceMaxLength);
        errors.MaxLength(EventFields.ExternalId, request.ExternalId, EventRules.ExternalIdMaxLength);
        return errors.Any ? new IngestOutcome<CatchItem>.Invalid(errors.Errors) : null;
    }

    private async Task<IngestOutcome<CatchItem>> IngestAsync(
        ReleaseBoardDbContext db,
        ResolvedService service,
        CatchRequest request,
        AuditActor actor,
        CancellationToken cancellationToken
    )
    {
        var environmentId = (
            await services.EnvironmentAsync(db, service.Id, request.Environment!.Trim(), cancellationToken)
        )?.Id;
        if (environmentId is null)
            return new IngestOutcome<CatchItem>.NotFound(
                $"Service \"{service.Slug}\" has no environment \"{request.Environment}\"."
            );

        var source = string.IsNullOrWhiteSpace(request.Source) ? EventRules.DefaultSource : request.Source.Trim();
        var externalId = string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();
        if (await StoredAsync(db, service.Id, source, externalId, cancellationToken) is { } stored)
            return stored;

        var outcome = await recorder.RecordAsync(
            new RecordCatchCommand(
                service.Id,
                environmentId.Value,
                request.Severity!.Value,
                request.Title,
                request.Description,
                request.Version,
                request.ReportedBy,
                request.CaughtAt!.Value.UtcDateTime,
                source,
                externalId,
                request.Url
            ),
            actor,
            cancellationToken
        );
        if (outcome is IngestOutcome<long>.Stored { Item: var catchId })
            return new IngestOutcome<CatchItem>.Stored(
                await EventQueries.CatchItems(db.Catches.Where(c => c.Id == catchId)).SingleAsync(cancellationToken),
                Created: true
            );
        // A copy of the same catch stored meanwhile is a replay, not an error.
        if (await StoredAsync(db, service.Id, source, externalId, cancellationToken) is { } raced)
            return raced;
        return new IngestOutcome<CatchItem>.Invalid(((IngestOutcome<long>.Invalid)outcome).Errors);
    }

    /// <summary>
    /// The stored copy, looked for only in the caller's service: another team's events are never revealed.
    /// </summary>
    private static async Task<IngestOutcome<CatchItem>?> StoredAsync(
        ReleaseBoardDbContext db,
        int serviceId,
        string source,
        string? externalId,
        CancellationToken cancellationToken
    )
    {
        if (externalId is null)
            return null;
        var item = await EventQueries
            .CatchItems(
                db.Catches.Where(c => c.ServiceId == serviceId && c.Source == source && c.ExternalId == externalId)
            )
            .SingleOrDefaultAsync(cancellationToken);
        return item is null ? null : new IngestOutcome<CatchItem>.Stored(item, Created: false);
    }
}
