using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catches;

/// <summary>
/// Records a pre-production catch: every rule checked on the server (the form's checks are a convenience), then the
/// catch and its audit entry in one transaction, which resets every open wall of the team.
/// </summary>
public sealed class CatchRecorder(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public const string NotInProduction = "A catch happens before production; a failure in production is an incident.";

    /// <summary>Text fields as stored: trimmed, and optional ones empty rather than blank.</summary>
    private static (string? Title, string? ReportedBy, string? Description, string? Version) Normalize(
        RecordCatchCommand command
    ) =>
        (
            command.Title?.Trim(),
            command.ReportedBy?.Trim(),
            string.IsNullOrWhiteSpace(command.Description) ? null : command.Description.Trim(),
            string.IsNullOrWhiteSpace(command.Version) ? null : command.Version.Trim()
        );

    /// <summary>A catch's own fields, checked by the shared event rules before anything is looked up.</summary>
    internal static FieldErrors ValidateFields(RecordCatchCommand command, DateTime now)
    {
        var errors = new FieldErrors(EventFields.CatchLabels);
        errors.Required(EventFields.Title, command.Title, "Say what was caught, in a few words.");
        errors.MaxLength(EventFields.Title, command.Title, EventRules.TitleMaxLength);
        errors.Required(EventFields.ReportedBy, command.ReportedBy, "Say who caught it.");
        errors.MaxLength(EventFields.ReportedBy, command.ReportedBy, EventRules.ReportedByMaxLength);
        errors.MaxLength(EventFields.Description, command.Description, EventRules.DescriptionMaxLength);
        errors.MaxLength(EventFields.Version, command.Version, EventRules.VersionMaxLength);
        errors.SeverityInRange(EventFields.Severity, command.Severity);
        errors.MaxLength(EventFields.Source, command.Source, EventRules.SourceMaxLength);
        errors.MaxLength(EventFields.ExternalId, command.ExternalId, EventRules.ExternalIdMaxLength);
        errors.HttpLink(EventFields.Url, command.Link);
        if (command.CaughtAtUtc.Kind != DateTimeKind.Utc)
            errors.Add(EventFields.CaughtAt, "The time must be given in UTC.");
        else
            errors.NotInFuture(EventFields.CaughtAt, new DateTimeOffset(command.CaughtAtUtc), now);
        return errors;
    }

    public async Task<IngestOutcome<long>> RecordAsync(
        RecordCatchCommand command,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = ValidateFields(command, now);
        var (title, reportedBy, description, version) = Normalize(command);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.AsNoTracking()
            .Where(e => e.Id == command.EnvironmentId)
            .Select(e => new
            {
                e.ServiceId,
                e.IsProduction,
                e.Service.TeamId,
            })
            .SingleOrDefaultAsync(cancellationToken);
        var serviceExists = await db.Services.AnyAsync(s => s.Id == command.ServiceId, cancellationToken);

        if (!serviceExists)
            errors.Add(EventFields.Service, "Choose a service.");
        if (environment is null)
            errors.Add(EventFields.Environment, "Choose the environment where it was caught.");
        else if (serviceExists && environment.ServiceId != command.ServiceId)
            errors.Add(EventFields.Environment, "That environment belongs to another service.");
        else if (environment.IsProduction)
            errors.Add(EventFields.Environment, NotInProduction);

        if (
            command.ExternalId is not null
            && await db.Catches.AnyAsync(
                c =>
                    c.ServiceId == command.ServiceId
                    && c.Source == command.Source
                    && c.ExternalId == command.ExternalId,
                cancellationToken
            )
        )
            errors.Add(EventFields.ExternalId, AlreadyRecorded(command));

        if (errors.Any)
            return new IngestOutcome<long>.Invalid(errors.Errors);

        // The catch and its audit entry commit together; the audit entry names the catch's id, so two saves in one
        // transaction. Built inside the retried block, so a retry never re-inserts an entity that got an id already.
        var strategy = db.Database.CreateExecutionStrategy();
        Catch recorded;
        try
        {
            recorded = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var entity = new Catch
                {
                    ServiceId = command.ServiceId,
                    EnvironmentId = command.EnvironmentId,
                    Severity = command.Severity,
                    Title = title!,
                    Description = description,
                    Version = version,
                    ReportedBy = reportedBy!,
                    CaughtAt = command.CaughtAtUtc,
                    RecordedAt = now,
                    Source = command.Source,
                    ExternalId = command.ExternalId,
                    Link = string.IsNullOrWhiteSpace(command.Link) ? null : command.Link.Trim(),
                };
                db.Catches.Add(entity);
                await db.SaveChangesAsync(cancellationToken);
                db.AuditEntries.Add(
                    new AuditEntry
                    {
                        At = now,
                        ActorKind = actor.Kind,
                        Actor = actor.Name,
                        ActorId = actor.Id,
                        Action = "catch.recorded",
                        Subject = $"catch/{entity.Id}",
                        After =
                            $"sev {entity.Severity} · {entity.Title} · environment/{entity.EnvironmentId} · reported "
                            + $"by {entity.ReportedBy}",
                        TeamId = environment!.TeamId,
                    }
                );
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return entity;
            });
        }
        catch (DbUpdateException) when (command.ExternalId is not null)
        {
            // The same catch (source, externalId) was stored by a concurrent request: ours rolled back whole.
            return IngestOutcome<long>.Field(EventFields.ExternalId, AlreadyRecorded(command));
        }
        return new IngestOutcome<long>.Stored(recorded.Id, Created: true);
    }

    private static string AlreadyRecorded(RecordCatchCommand command) =>
        $"A catch from {command.Source} with id {command.ExternalId} is already recorded.";
}
