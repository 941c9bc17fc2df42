using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// Stores an incident, or brings the stored one up to date (resolved, corrected); PATCH changes given fields.
/// </summary>
public sealed class IncidentIngestion(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    ServiceResolver services,
    IEnumerable<IIncidentOpenedReaction> reactions
)
{
    public async Task<IngestOutcome<IncidentItem>> IngestAsync(
        IncidentRequest request,
        ClaimsPrincipal caller,
        CancellationToken cancellationToken
    )
    {
        var errors = Validate(request, clock.GetUtcNow().UtcDateTime);
        if (errors.Any)
            return new IngestOutcome<IncidentItem>.Invalid(errors.Errors);

        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        var (service, refusal) = await services.ResolveAsync<IncidentItem>(
            db,
            request.Service!.Trim(),
            caller,
            cancellationToken
        );
        if (service is null)
            return refusal!;
        return await IngestAsync(db, service, request, reopen: false, cancellationToken);
    }

    /// <summary>
    /// For a service already resolved (webhooks find it by their own ids). <paramref name="reopen"/>: the tool says the
    /// incident is open again, so a stored resolution is cleared rather than kept as an older fact.
    /// </summary>
    public async Task<IngestOutcome<IncidentItem>> IngestForServiceAsync(
        ResolvedService service,
        IncidentRequest request,
        bool reopen,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors(EventFields.IncidentLabels);
        ValidateCommon(
            errors,
            request.Severity,
            request.Title,
            request.StartedAt,
            request.DetectedAt,
            request.ResolvedAt,
            request.Url,
            clock.GetUtcNow().UtcDateTime
        );
        if (errors.Any)
            return new IngestOutcome<IncidentItem>.Invalid(errors.Errors);
        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        return await IngestAsync(db, service, request, reopen, cancellationToken);
    }

    /// <summary>
    /// An incident a person records on the form: stored like any other (the immune system included), and the audit
    /// trail says who recorded it, because the form has no tool behind it to vouch for it.
    /// </summary>
    public async Task<IngestOutcome<IncidentItem>> RecordByPersonAsync(
        ResolvedService service,
        IncidentRequest request,
        AuditActor person,
        CancellationToken cancellationToken
    )
    {
        var outcome = await IngestForServiceAsync(service, request, reopen: false, cancellationToken);
        if (outcome is IngestOutcome<IncidentItem>.Stored stored)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.AuditEntries.Add(
                new AuditEntry
                {
                    At = clock.GetUtcNow().UtcDateTime,
                    ActorKind = person.Kind,
                    Actor = person.Name,
                    ActorId = person.Id,
                    Action = "incident.recorded",
                    Subject = $"incident/{stored.Item.Id}",
                    After =
                        $"severity {stored.Item.Severity} on {service.TeamSlug}/{service.Slug}: {stored.Item.Title}",
                }
            );
            await db.SaveChangesAsync(cancellationToken);
        }
        return outcome;
    }

    /// <summary>
    /// A person resolves an open incident, whatever brought it in (the form, an import without ids, a tool that never
    /// sent the resolution): the time is checked like the API's, and the audit trail says who resolved it.
    /// </summary>
    public async Task<IngestOutcome<long>> ResolveByPersonAsync(
        long incidentId,
        DateTime resolvedAtUtc,
        AuditActor person,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == incidentId, cancellationToken);
        if (incident is null)
            return new IngestOutcome<long>.NotFound("There is no such incident.");
        if (incident.ResolvedAt is not null)
            return IngestOutcome<long>.Field(
                EventFields.ResolvedAt,
                $"It was resolved already, at {incident.ResolvedAt:yyyy-MM-dd HH:mm} UTC."
            );
        var errors = new FieldErrors(EventFields.IncidentLabels);
        var resolvedAt = new DateTimeOffset(resolvedAtUtc, TimeSpan.Zero);
        errors.NotInFuture(EventFields.ResolvedAt, resolvedAt, clock.GetUtcNow().UtcDateTime);
        errors.NotBefore(
            EventFields.ResolvedAt,
            resolvedAt,
            EventFields.StartedAt,
            new DateTimeOffset(incident.ImpactStartedAt, TimeSpan.Zero)
        );
        if (errors.Any)
            return new IngestOutcome<long>.Invalid(errors.Errors);

        incident.ResolvedAt = resolvedAtUtc;
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = clock.GetUtcNow().UtcDateTime,
                ActorKind = person.Kind,
                Actor = person.Name,
                ActorId = person.Id,
                Action = "incident.resolved",
                Subject = $"incident/{incident.Id}",
                After = $"resolved at {resolvedAtUtc:yyyy-MM-dd HH:mm} UTC: {incident.Title}",
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return new IngestOutcome<long>.Stored(incident.Id, Created: false);
    }

    private async Task<IngestOutcome<IncidentItem>> IngestAsync(
        ReleaseBoardDbContext db,
        ResolvedService service,
        IncidentRequest request,
        bool reopen,
        CancellationToken cancellationToken
    )
    {
        // One transaction for the incident and the pause it causes (SQLite takes the write lock at its start, so the
        // read of what to pause cannot race another writer).
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outcome = await StoreAsync(
                db,
                service,
                request,
                reopen,
                clock.GetUtcNow().UtcDateTime,
                cancellationToken
            );
            // An incident that opens (new, or open again) is told to what reacts (the immune system pauses); a replay
            // of one already open is not: it must not pause again what a person resumed.
            if (
                outcome is IngestOutcome<IncidentItem>.Stored { Item.ResolvedAt: null } stored
                && (stored.Created || reopen)
            )
                foreach (var reaction in reactions)
                    await reaction.ReactAsync(
                        db,
                        new IncidentOpened(service.Id, stored.Item.Severity, stored.Item.Title),
                        cancellationToken
                    );
            await transaction.CommitAsync(cancellationToken);
            return outcome;
        });
    }

    private static async Task<IngestOutcome<IncidentItem>> StoreAsync(
        ReleaseBoardDbContext db,
        ResolvedService service,
        IncidentRequest request,
        bool reopen,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        long? causeId = null;
        if (request.CausedBy is { } causedBy)
        {
            causeId = await db
                .Deployments.Where(d =>
                    d.Source == causedBy.Source!.Trim()
                    && d.ExternalId == causedBy.ExternalId!.Trim()
                    && d.ServiceId == service.Id
                )
                .Select(d => (long?)d.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (causeId is null)
                return IngestOutcome<IncidentItem>.Field(
                    "causedBy",
                    $"Service {service.Slug} has no deployment {causedBy.Source}/{causedBy.ExternalId}."
                );
        }

        var source = string.IsNullOrWhiteSpace(request.Source) ? EventRules.DefaultSource : request.Source.Trim();
        var externalId = string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();
        return await Upsert.RunAsync(
            db,
            db.Incidents,
            service.Id,
            source,
            externalId,
            _ => null,
            () =>
                new Incident
                {
                    ServiceId = service.Id,
                    Title = "",
                    Source = source,
                    ExternalId = externalId,
                    ReceivedAt = now,
                },
            incident =>
            {
                incident.Severity = request.Severity!.Value;
                incident.Title = request.Title!.Trim();
                incident.ImpactStartedAt = request.StartedAt!.Value.UtcDateTime;
                incident.DetectedAt = (request.DetectedAt ?? request.StartedAt).Value.UtcDateTime;
                incident.ResolvedAt = reopen ? null : request.ResolvedAt?.UtcDateTime ?? incident.ResolvedAt;
                incident.CausingDeploymentId = causeId ?? incident.CausingDeploymentId;
                incident.Link = request.Url?.Trim() ?? incident.Link;
            },
            (i, created) =>
                created
                    ? Task.FromResult(
                        new IncidentItem(
                            i.Id,
                            service.TeamSlug,
                            service.Slug,
                            i.Severity,
                            i.Title,
                            i.ImpactStartedAt,
                            i.DetectedAt,
                            i.ResolvedAt,
                            request.CausedBy is { } cause
                                ? new EventReference(cause.Source!.Trim(), cause.ExternalId!.Trim())
                                : null,
                            i.Link,
                            i.Source,
                            i.ExternalId
                        )
                    )
                    : EventQueries.IncidentItems(db.Incidents.Where(x => x.Id == i.Id)).SingleAsync(cancellationToken),
            cancellationToken
        );
    }

    public async Task<IngestOutcome<IncidentItem>> PatchAsync(
        string source,
        string externalId,
        IncidentPatch patch,
        ClaimsPrincipal caller,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        // Ids are unique per service: look only among the incidents this caller may act for, so another team's are
        // neither revealed nor touched.
        var candidates = (
            await db
                .Incidents.Include(i => i.Service)
                    .ThenInclude(s => s.Team)
                .Where(i => i.Source == source && i.ExternalId == externalId)
                .ToListAsync(cancellationToken)
        )
            .Where(i => caller.MayActForTeam(i.Service.Team.Slug))
            .ToList();
        if (candidates.Count == 0)
            return new IngestOutcome<IncidentItem>.NotFound($"There is no incident {source}/{externalId}.");
        if (candidates.Count > 1)
            return IngestOutcome<IncidentItem>.Field(
                "externalId",
                $"{source}/{externalId} names incidents of several services; use a key scoped to one team."
            );
        var incident = candidates[0];

        var started = patch.StartedAt ?? new DateTimeOffset(incident.ImpactStartedAt);
        var errors = new FieldErrors(EventFields.IncidentLabels);
        ValidateCommon(
            errors,
            patch.Severity,
            patch.Title,
            started,
            patch.DetectedAt,
            patch.ResolvedAt ?? ToOffset(incident.ResolvedAt),
            patch.Url,
            clock.GetUtcNow().UtcDateTime
        );
        if (patch.Title is not null && string.IsNullOrWhiteSpace(patch.Title))
            errors.Add(EventFields.Title, "The title cannot be empty.");
        if (errors.Any)
            return new IngestOutcome<IncidentItem>.Invalid(errors.Errors);

        incident.Severity = patch.Severity ?? incident.Severity;
        incident.Title = patch.Title?.Trim() ?? incident.Title;
        incident.ImpactStartedAt = started.UtcDateTime;
        incident.DetectedAt = patch.DetectedAt?.UtcDateTime ?? incident.DetectedAt;
        incident.ResolvedAt = patch.ResolvedAt?.UtcDateTime ?? incident.ResolvedAt;
        incident.Link = patch.Url?.Trim() ?? incident.Link;
        await db.SaveChangesAsync(cancellationToken);
        return new IngestOutcome<IncidentItem>.Stored(
            await EventQueries
                .IncidentItems(db.Incidents.Where(i => i.Id == incident.Id))
                .SingleAsync(cancellationToken),
            Created: false
        );
    }

    private static DateTimeOffset? ToOffset(DateTime? utc) => utc is { } value ? new DateTimeOffset(value) : null;

    private static void ValidateCommon(
        FieldErrors errors,
        int? severity,
        string? title,
        DateTimeOffset? startedAt,
        DateTimeOffset? detectedAt,
        DateTimeOffset? resolvedAt,
        string? url,
        DateTime now
    )
    {
        errors.SeverityInRange(EventFields.Severity, severity);
        errors.MaxLength(EventFields.Title, title, EventRules.TitleMaxLength);
        errors.NotInFuture(EventFields.StartedAt, startedAt, now);
        errors.NotInFuture(EventFields.DetectedAt, detectedAt, now);
        errors.NotInFuture(EventFields.ResolvedAt, resolvedAt, now);
        errors.NotBefore(EventFields.ResolvedAt, resolvedAt, EventFields.StartedAt, startedAt);
        errors.NotBefore(EventFields.DetectedAt, detectedAt, EventFields.StartedAt, startedAt);
        errors.HttpLink(EventFields.Url, url);
    }

    /// <summary>The rules an incident's own fields follow (the API and imports share them).</summary>
    internal static FieldErrors Validate(IncidentRequest request, DateTime now)
    {
        var errors = new FieldErrors(EventFields.IncidentLabels);
        errors.Required(EventFields.Service, request.Service);
        errors.Required(EventFields.Severity, request.Severity);
        errors.Required(EventFields.Title, request.Title);
        errors.Required(EventFields.StartedAt, request.StartedAt);
        ValidateCommon(
            errors,
            request.Severity,
            request.Title,
            request.StartedAt,
            request.DetectedAt,
            request.ResolvedAt,
            request.Url,
            now
        );
        errors.MaxLength(EventFields.Source, request.Source, EventRules.SourceMaxLength);
        errors.MaxLength(EventFields.ExternalId, request.ExternalId, EventRules.ExternalIdMaxLength);
        if (
            request.CausedBy is { } cause
            && (string.IsNullOrWhiteSpace(cause.Source) || string.IsNullOrWhiteSpace(cause.ExternalId))
        )
            errors.Add(EventFields.CausedBy, "causedBy names a deployment by its source and externalId.");
        return errors;
    }
}
