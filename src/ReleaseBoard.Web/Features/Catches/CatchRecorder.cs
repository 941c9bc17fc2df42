using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catches;

/// <summary>
/// Records a pre-production catch: validates everything on the server (the form's checks are a convenience),
/// stores the catch and its audit entry in one SaveChanges, and so resets every open wall of the team.
/// </summary>
public sealed class CatchRecorder(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public const int TitleMaxLength = 300;
    public const int DescriptionMaxLength = 4000;
    public const int VersionMaxLength = 128;
    public const int ReportedByMaxLength = 200;

    /// <summary>
    /// Reporters' clocks drift; a catch a few minutes "in the future" is accepted, a day ahead is a mistake.
    /// </summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

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

    /// <summary>
    /// The rules a catch's own fields follow, before anything is looked up (the form, the API and imports share them).
    /// </summary>
    internal static Dictionary<string, List<string>> ValidateFields(RecordCatchCommand command, DateTime now)
    {
        var errors = new Dictionary<string, List<string>>();
        void Fail(string field, string message) =>
            (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);

        var (title, reportedBy, description, version) = Normalize(command);
        if (string.IsNullOrEmpty(title))
            Fail(nameof(command.Title), "Say what was caught, in a few words.");
        else if (title.Length > TitleMaxLength)
            Fail(nameof(command.Title), $"The title can be at most {TitleMaxLength} characters.");
        if (string.IsNullOrEmpty(reportedBy))
            Fail(nameof(command.ReportedBy), "Say who caught it.");
        else if (reportedBy.Length > ReportedByMaxLength)
            Fail(nameof(command.ReportedBy), $"At most {ReportedByMaxLength} characters.");
        if (description is { Length: > DescriptionMaxLength })
            Fail(nameof(command.Description), $"The description can be at most {DescriptionMaxLength} characters.");
        if (version is { Length: > VersionMaxLength })
            Fail(nameof(command.Version), $"The version can be at most {VersionMaxLength} characters.");
        if (!Severity.IsValid(command.Severity))
            Fail(nameof(command.Severity), $"Severity is {Severity.Worst} (worst) to {Severity.Least}.");

        if (command.CaughtAtUtc.Kind != DateTimeKind.Utc)
            Fail(nameof(command.CaughtAtUtc), "The time must be given in UTC.");
        else if (command.CaughtAtUtc > now + AllowedClockSkew)
            Fail(nameof(command.CaughtAtUtc), "The catch cannot be in the future.");
        else if (command.CaughtAtUtc < new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc))
            Fail(nameof(command.CaughtAtUtc), "That date is too far in the past.");
        return errors;
    }

    public async Task<RecordCatchResult> RecordAsync(
        RecordCatchCommand command,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = ValidateFields(command, now);
        void Fail(string field, string message) =>
            (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);
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
            Fail(nameof(command.ServiceId), "Choose a service.");
        if (environment is null)
            Fail(nameof(command.EnvironmentId), "Choose the environment where it was caught.");
        else if (serviceExists && environment.ServiceId != command.ServiceId)
            Fail(nameof(command.EnvironmentId), "That environment belongs to another service.");
        else if (environment.IsProduction)
            Fail(
                nameof(command.EnvironmentId),
                "A catch happens before production; a failure in production is an incident."
            );

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
            Fail(
                nameof(command.ExternalId),
                $"A catch from {command.Source} with id {command.ExternalId} is already recorded."
            );

        if (errors.Count > 0)
            return RecordCatchResult.Invalid(errors);

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
            Fail(
                nameof(command.ExternalId),
                $"A catch from {command.Source} with id {command.ExternalId} is already recorded."
            );
            return RecordCatchResult.Invalid(errors);
        }
        return new RecordCatchResult(recorded.Id, new Dictionary<string, string[]>());
    }
}
