using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// Stores a deployment, or, when (source, externalId) names one already, brings the stored one up to date (a
/// deployment reported when it started and again when it finished). One SaveChanges: never half an event.
/// </summary>
public sealed class DeploymentIngestion(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    ServiceResolver services
)
{
    public async Task<IngestOutcome<DeploymentItem>> IngestAsync(
        DeploymentRequest request,
        ClaimsPrincipal caller,
        CancellationToken cancellationToken
    )
    {
        var errors = Validate(request, clock.GetUtcNow().UtcDateTime, out var outcome, out var kind);
        if (errors.Any)
            return new IngestOutcome<DeploymentItem>.Invalid(errors.Errors);

        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        var (service, refusal) = await services.ResolveAsync<DeploymentItem>(
            db,
            request.Service!.Trim(),
            caller,
            cancellationToken
        );
        if (service is null)
            return refusal!;
        return await IngestAsync(db, service, request, outcome!.Value, kind, cancellationToken);
    }

    /// <summary>
    /// For a service already resolved (webhooks find it by repository); the same rules as the API apply.
    /// </summary>
    public async Task<IngestOutcome<DeploymentItem>> IngestForServiceAsync(
        ResolvedService service,
        DeploymentRequest request,
        CancellationToken cancellationToken
    )
    {
        var errors = Validate(request, clock.GetUtcNow().UtcDateTime, out var outcome, out var kind);
        if (errors.Any)
            return new IngestOutcome<DeploymentItem>.Invalid(errors.Errors);
        await using var db = await dbFactory.CreateOpenContextAsync(cancellationToken);
        return await IngestAsync(db, service, request, outcome!.Value, kind, cancellationToken);
    }

    private async Task<IngestOutcome<DeploymentItem>> IngestAsync(
        ReleaseBoardDbContext db,
        ResolvedService service,
        DeploymentRequest request,
        DeploymentOutcome outcome,
        DeploymentKind kind,
        CancellationToken cancellationToken
    )
    {
        var environmentName = request.Environment!.Trim();
        var environment = await services.EnvironmentAsync(db, service.Id, environmentName, cancellationToken)
            is { } found
            ? new { found.Id, Name = environmentName }
            : null;
        if (environment is null)
            return new IngestOutcome<DeploymentItem>.NotFound(
                $"Service \"{service.Slug}\" has no environment \"{request.Environment}\"."
            );

        var source = string.IsNullOrWhiteSpace(request.Source) ? EventRules.DefaultSource : request.Source.Trim();
        var externalId = string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();
        long? rollsBackId = null;
        if (!string.IsNullOrWhiteSpace(request.RollsBack))
        {
            rollsBackId = await db
                .Deployments.Where(d =>
                    d.ServiceId == service.Id && d.Source == source && d.ExternalId == request.RollsBack.Trim()
                )
                .Select(d => (long?)d.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (rollsBackId is null)
                return IngestOutcome<DeploymentItem>.Field(
                    "rollsBack",
                    $"No deployment from {source} has the externalId \"{request.RollsBack}\"."
                );
        }

        long? fixesId = null;
        if (request.FixesIncident is { } fixes)
        {
            fixesId = await FixedIncidentAsync(db, service.Id, service.TeamSlug, fixes, cancellationToken);
            if (fixesId is null)
                return IngestOutcome<DeploymentItem>.Field(
                    EventFields.FixesIncident,
                    $"Team {service.TeamSlug} has no incident {fixes.Source!.Trim()}/{fixes.ExternalId!.Trim()}."
                );
        }

        var now = clock.GetUtcNow().UtcDateTime;
        void Apply(Deployment d)
        {
            d.Version = request.Version!.Trim(); // a stored one only ever gets the same (see Conflict)
            d.CommitSha = request.CommitSha?.Trim() ?? d.CommitSha;
            d.CommitAt = request.CommittedAt?.UtcDateTime ?? d.CommitAt;
            d.StartedAt = request.StartedAt!.Value.UtcDateTime;
            // Deliveries come out of order: a late "in progress" never undoes a finish that was already reported.
            var lateStart =
                outcome == DeploymentOutcome.InProgress
                && d.Outcome != DeploymentOutcome.InProgress
                && d.FinishedAt is not null;
            d.FinishedAt = request.FinishedAt?.UtcDateTime ?? d.FinishedAt;
            if (!lateStart && d.Outcome != outcome)
                (d.Outcome, d.OutcomeReceivedAt) = (outcome, now);
            d.Kind = kind;
            d.RollsBackDeploymentId = rollsBackId ?? d.RollsBackDeploymentId;
            d.Trigger = request.Trigger ?? d.Trigger;
            d.FixesIncidentId = fixesId ?? d.FixesIncidentId;
        }

        return await Upsert.RunAsync(
            db,
            db.Deployments,
            service.Id,
            source,
            externalId,
            existing => Conflict(existing, environment.Id, request, service.Slug, $"{source}/{externalId}"),
            () =>
                new Deployment
                {
                    ServiceId = service.Id,
                    EnvironmentId = environment.Id,
                    Version = "",
                    Source = source,
                    ExternalId = externalId,
                    Trigger = request.Trigger ?? DeploymentTrigger.Automatic,
                    Outcome = outcome,
                    ReceivedAt = now,
                    OutcomeReceivedAt = now,
                },
            Apply,
            // A new record is answered from what was just written; an updated one is read back (it may keep older
            // facts).
            (d, created) =>
                created
                    ? Task.FromResult(
                        new DeploymentItem(
                            d.Id,
                            service.TeamSlug,
                            service.Slug,
                            environment.Name,
                            d.Version,
                            d.CommitSha,
                            d.CommitAt,
                            d.StartedAt,
                            d.FinishedAt,
                            d.Outcome,
                            d.Kind,
                            string.IsNullOrWhiteSpace(request.RollsBack) ? null : request.RollsBack.Trim(),
                            d.Trigger,
                            d.Source,
                            d.ExternalId,
                            request.FixesIncident is { } named
                                ? new EventReference(named.Source!.Trim(), named.ExternalId!.Trim())
                                : null
                        )
                    )
                    : EventQueries
                        .DeploymentItems(db.Deployments.Where(x => x.Id == d.Id))
                        .SingleAsync(cancellationToken),
            cancellationToken
        );
    }

    /// <summary>
    /// What a stored deployment keeps whatever is reported later: its environment and what it deploys. A new version
    /// under an old id would inherit the old one's soak (it counts from when the outcome was learned).
    /// </summary>
    private static IngestOutcome<DeploymentItem>? Conflict(
        Deployment existing,
        int environmentId,
        DeploymentRequest request,
        string serviceSlug,
        string id
    )
    {
        if (existing.EnvironmentId != environmentId)
            return IngestOutcome<DeploymentItem>.Field(
                "externalId",
                $"{id} is a deployment to another environment of {serviceSlug}."
            );
        if (existing.Version != request.Version!.Trim())
            return IngestOutcome<DeploymentItem>.Field(
                "version",
                $"{id} deployed version {existing.Version}; a deployment's version does not change. "
                    + "Report the new version as a deployment of its own (another externalId)."
            );
        var commit = request.CommitSha?.Trim();
        if (existing.CommitSha is not null && commit is not null && commit != existing.CommitSha)
            return IngestOutcome<DeploymentItem>.Field(
                "commitSha",
                $"{id} deployed commit {existing.CommitSha}; a deployment's commit does not change."
            );
        return null;
    }

    /// <summary>
    /// The incident of the service's team that <paramref name="fixes"/> names: a fix may land in another service of
    /// the team than the one that failed, never in another team's. Ids are unique per service: the service's own first.
    /// </summary>
    internal static Task<long?> FixedIncidentAsync(
        ReleaseBoardDbContext db,
        int serviceId,
        string teamSlug,
        EventReference fixes,
        CancellationToken cancellationToken
    )
    {
        var (source, externalId) = (fixes.Source!.Trim(), fixes.ExternalId!.Trim());
        return db
            .Incidents.Where(i => i.Source == source && i.ExternalId == externalId && i.Service.Team.Slug == teamSlug)
            .OrderBy(i => i.ServiceId == serviceId ? 0 : 1)
            .ThenBy(i => i.Id)
            .Select(i => (long?)i.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The rules a deployment's own fields follow (the API and imports share them); gives the outcome and kind they
    /// imply.
    /// </summary>
    internal static FieldErrors Validate(
        DeploymentRequest request,
        DateTime now,
        out DeploymentOutcome? outcome,
        out DeploymentKind kind
    )
    {
        var errors = new FieldErrors(EventFields.DeploymentLabels);
        errors.Required(EventFields.Service, request.Service);
        errors.Required(EventFields.Environment, request.Environment);
        errors.Required(EventFields.Version, request.Version);
        errors.Required(EventFields.StartedAt, request.StartedAt);
        errors.MaxLength(EventFields.Version, request.Version, EventRules.VersionMaxLength);
        errors.MaxLength(EventFields.CommitSha, request.CommitSha, EventRules.CommitShaMaxLength);
        errors.MaxLength(EventFields.RollsBack, request.RollsBack, EventRules.ExternalIdMaxLength);
        errors.MaxLength(EventFields.FixesIncident, request.FixesIncident?.Source, EventRules.SourceMaxLength);
        errors.MaxLength(EventFields.FixesIncident, request.FixesIncident?.ExternalId, EventRules.ExternalIdMaxLength);
        errors.MaxLength(EventFields.Source, request.Source, EventRules.SourceMaxLength);
        errors.MaxLength(EventFields.ExternalId, request.ExternalId, EventRules.ExternalIdMaxLength);
        errors.NotInFuture(EventFields.CommittedAt, request.CommittedAt, now);
        errors.NotInFuture(EventFields.StartedAt, request.StartedAt, now);
        errors.NotInFuture(EventFields.FinishedAt, request.FinishedAt, now);
        errors.NotBefore(EventFields.FinishedAt, request.FinishedAt, EventFields.StartedAt, request.StartedAt);
        outcome = request.Outcome ?? (request.FinishedAt is null ? DeploymentOutcome.InProgress : null);
        if (outcome is null)
            errors.Add(
                EventFields.Outcome,
                "The outcome is required once a deployment has finished: succeeded, failed or rolledBack."
            );
        if (outcome == DeploymentOutcome.InProgress && request.FinishedAt is not null)
            errors.Add(EventFields.Outcome, "A finished deployment is not inProgress.");
        if (outcome is not null and not DeploymentOutcome.InProgress && request.FinishedAt is null)
            errors.Add(EventFields.FinishedAt, "The finish is required with this outcome.");
        if (
            request.FixesIncident is { } fixes
            && (string.IsNullOrWhiteSpace(fixes.Source) || string.IsNullOrWhiteSpace(fixes.ExternalId))
        )
            errors.Add(EventFields.FixesIncident, "fixesIncident names an incident by its source and externalId.");
        kind = request.Kind ?? DeploymentKind.Normal;
        if (kind == DeploymentKind.Rollback && string.IsNullOrWhiteSpace(request.RollsBack))
            errors.Add(EventFields.RollsBack, "A rollback names the deployment it reverts (its externalId).");
        return errors;
    }
}
