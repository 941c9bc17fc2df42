using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Ingestion.Import;

public enum ImportKind
{
    Deployments,
    Incidents,
    Catches,
}

public sealed record ImportProblem(int Line, string Field, string Message);

/// <summary>What an import did: all rows stored, or none and every bad row named.</summary>
public sealed record ImportReport(
    ImportKind Kind,
    bool Applied,
    int Rows,
    int Imported,
    int AlreadyStored,
    IReadOnlyList<ImportProblem> Problems
)
{
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>
/// CSV import of past events by the API's field names and rules: every row checked before any is written, then one
/// transaction; rows already stored (source, externalId) are skipped, so a file imported twice adds nothing.
/// </summary>
public sealed class EventImporter(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    IEnumerable<IIncidentOpenedReaction> reactions
)
{
    public const int MaxRows = 50_000;

    public static readonly IReadOnlyDictionary<ImportKind, string[]> Columns = new Dictionary<ImportKind, string[]>
    {
        [ImportKind.Deployments] =
        [
            "team",
            "service",
            "environment",
            "version",
            "commitSha",
            "committedAt",
            "startedAt",
            "finishedAt",
            "outcome",
            "kind",
            "rollsBack",
            "trigger",
            "source",
            "externalId",
            "fixesIncidentSource",
            "fixesIncidentExternalId",
        ],
        [ImportKind.Incidents] =
        [
            "team",
            "service",
            "severity",
            "title",
            "startedAt",
            "detectedAt",
            "resolvedAt",
            "causedBySource",
            "causedByExternalId",
            "url",
            "source",
            "externalId",
        ],
        [ImportKind.Catches] =
        [
            "team",
            "service",
            "environment",
            "severity",
            "title",
            "description",
            "version",
            "caughtAt",
            "reportedBy",
            "source",
            "externalId",
        ],
    };

    private sealed record ServiceRow(
        int Id,
        string TeamSlug,
        string Slug,
        Dictionary<string, (int Id, bool IsProduction)> Environments
    );

    public async Task<ImportReport> ImportAsync(
        ImportKind kind,
        string csv,
        AuditActor actor,
        bool dryRun,
        CancellationToken cancellationToken = default
    )
    {
        CsvReader.CsvTable table;
        try
        {
            table = CsvReader.Parse(csv);
        }
        catch (FormatException ex)
        {
            return new ImportReport(kind, false, 0, 0, 0, [new ImportProblem(1, "file", ex.Message)]);
        }

        var problems = new List<ImportProblem>();
        var known = Columns[kind];
        var columnIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < table.Header.Count; i++)
        {
            var name = known.FirstOrDefault(k => string.Equals(k, table.Header[i], StringComparison.OrdinalIgnoreCase));
            if (name is null)
                problems.Add(
                    new ImportProblem(
                        1,
                        table.Header[i],
                        $"Unknown column. The columns are: {string.Join(", ", known)}."
                    )
                );
            else if (!columnIndex.TryAdd(name, i))
                problems.Add(new ImportProblem(1, name, "This column appears twice."));
        }
        if (table.Rows.Count > MaxRows)
            problems.Add(new ImportProblem(1, "file", $"At most {MaxRows} rows per import."));
        if (problems.Count > 0)
            return new ImportReport(kind, false, table.Rows.Count, 0, 0, problems);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db
            .Services.AsNoTracking()
            .Include(s => s.Environments)
            .Select(s => new
            {
                s.Id,
                TeamSlug = s.Team.Slug,
                s.Slug,
                s.Environments,
            })
            .ToListAsync(cancellationToken);
        var services = stored
            .Select(s => new ServiceRow(
                s.Id,
                s.TeamSlug,
                s.Slug,
                s.Environments.ToDictionary(e => e.Name, e => (e.Id, e.IsProduction))
            ))
            .ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        var seen = new HashSet<(string Source, string ExternalId)>();
        var entities = new List<object>();
        var fileDeployments = new Dictionary<(string Source, string ExternalId), Deployment>();
        var alreadyStored = 0;

        foreach (var row in table.Rows)
        {
            string? Get(string column) =>
                columnIndex.TryGetValue(column, out var index)
                && index < row.Fields.Count
                && row.Fields[index].Trim() is { Length: > 0 } value
                    ? value
                    : null;
            void Problem(string field, string message) => problems.Add(new ImportProblem(row.Line, field, message));
            DateTimeOffset? Time(string column)
            {
                if (Get(column) is not { } text)
                    return null;
                if (
                    DateTimeOffset.TryParse(
                        text,
                        CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal,
                        out var value
                    )
                )
                    return value;
                Problem(column, $"\"{text}\" is not an ISO 8601 time, e.g. 2026-03-14T09:30:00Z.");
                return null;
            }
            int? Number(string column)
            {
                if (Get(column) is not { } text)
                    return null;
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                    return value;
                Problem(column, $"\"{text}\" is not a whole number.");
                return null;
            }
            T? Choice<T>(string column)
                where T : struct, Enum
            {
                if (Get(column) is not { } text)
                    return null;
                if (
                    Enum.TryParse<T>(text, ignoreCase: true, out var value)
                    && Enum.IsDefined(value)
                    && !int.TryParse(text, out _)
                )
                    return value;
                Problem(
                    column,
                    $"\"{text}\" is not one of "
                        + $"{string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}."
                );
                return null;
            }

            var problemsBefore = problems.Count;
            var source = Get("source") ?? EventRules.DefaultSource;
            var externalId = Get("externalId");
            var service = ResolveService(services, Get("team"), Get("service"), Problem);

            FieldErrors fieldErrors;
            object? entity = null;
            switch (kind)
            {
                case ImportKind.Deployments:
                {
                    var request = new DeploymentRequest(
                        Get("service"),
                        Get("environment"),
                        Get("version"),
                        Get("commitSha"),
                        Time("committedAt"),
                        Time("startedAt"),
                        Time("finishedAt"),
                        Choice<DeploymentOutcome>("outcome"),
                        Choice<DeploymentKind>("kind"),
                        Get("rollsBack"),
                        Choice<DeploymentTrigger>("trigger"),
                        source,
                        externalId,
                        Get("fixesIncidentExternalId") is { } fixesId
                            ? new EventReference(Get("fixesIncidentSource") ?? EventRules.DefaultSource, fixesId)
                            : null
                    );
                    fieldErrors = DeploymentIngestion.Validate(request, now, out var outcome, out var deploymentKind);
                    if (Get("fixesIncidentSource") is not null && request.FixesIncident is null)
                        Problem("fixesIncidentExternalId", "A fixed incident is named by its source and externalId.");
                    // A rollback names what it reverts: an earlier line of this file, or a stored deployment.
                    Deployment? reverted = null;
                    long? revertedId = null;
                    if (
                        request.RollsBack is { } rollsBack
                        && service is not null
                        && !fileDeployments.TryGetValue((source, rollsBack), out reverted)
                    )
                    {
                        revertedId = await db
                            .Deployments.Where(d =>
                                d.ServiceId == service.Id && d.Source == source && d.ExternalId == rollsBack
                            )
                            .Select(d => (long?)d.Id)
                            .SingleOrDefaultAsync(cancellationToken);
                        if (revertedId is null)
                            Problem("rollsBack", $"No earlier line and no stored deployment is {source}/{rollsBack}.");
                    }
                    long? fixedIncidentId = null;
                    if (request.FixesIncident is { } fixes && service is not null && !fieldErrors.Any)
                    {
                        fixedIncidentId = await DeploymentIngestion.FixedIncidentAsync(
                            db,
                            service.Id,
                            service.TeamSlug,
                            fixes,
                            cancellationToken
                        );
                        if (fixedIncidentId is null)
                            Problem(
                                "fixesIncidentExternalId",
                                $"Team {service.TeamSlug} has no stored incident {fixes.Source}/{fixes.ExternalId}."
                            );
                    }
                    if (
                        service is not null
                        && Environment(service, request.Environment, Problem) is { } environment
                        && !fieldErrors.Any
                        && problems.Count == problemsBefore
                    )
                    {
                        var deployment = new Deployment
                        {
                            ServiceId = service.Id,
                            EnvironmentId = environment.Id,
                            Version = request.Version!,
                            CommitSha = request.CommitSha,
                            CommitAt = request.CommittedAt?.UtcDateTime,
                            StartedAt = request.StartedAt!.Value.UtcDateTime,
                            FinishedAt = request.FinishedAt?.UtcDateTime,
                            Outcome = outcome!.Value,
                            Kind = deploymentKind,
                            Trigger = request.Trigger ?? DeploymentTrigger.Automatic,
                            Source = source,
                            ExternalId = externalId,
                            RollsBackDeployment = reverted,
                            RollsBackDeploymentId = revertedId,
                            FixesIncidentId = fixedIncidentId,
                            ReceivedAt = now,
                            OutcomeReceivedAt = now,
                        };
                        entity = deployment;
                    }
                    break;
                }
                case ImportKind.Incidents:
                {
                    var cause = Get("causedByExternalId") is { } causeId
                        ? new EventReference(Get("causedBySource") ?? EventRules.DefaultSource, causeId)
                        : null;
                    var request = new IncidentRequest(
                        Get("service"),
                        Number("severity"),
                        Get("title"),
                        Time("startedAt"),
                        Time("detectedAt"),
                        Time("resolvedAt"),
                        cause,
                        Get("url"),
                        source,
                        externalId
                    );
                    fieldErrors = IncidentIngestion.Validate(request, now);
                    long? causeKey = null;
                    if (cause is not null && service is not null)
                    {
                        causeKey = await db
                            .Deployments.Where(d =>
                                d.ServiceId == service.Id
                                && d.Source == cause.Source
                                && d.ExternalId == cause.ExternalId
                            )
                            .Select(d => (long?)d.Id)
                            .SingleOrDefaultAsync(cancellationToken);
                        if (causeKey is null)
                            Problem(
                                "causedByExternalId",
                                $"Service {service.Slug} has no stored deployment {cause.Source}/{cause.ExternalId} "
                                    + $"(import deployments first)."
                            );
                    }
                    if (service is not null && !fieldErrors.Any && problems.Count == problemsBefore)
                        entity = new Incident
                        {
                            ServiceId = service.Id,
                            Severity = request.Severity!.Value,
                            Title = request.Title!.Trim(),
                            ImpactStartedAt = request.StartedAt!.Value.UtcDateTime,
                            DetectedAt = (request.DetectedAt ?? request.StartedAt).Value.UtcDateTime,
                            ResolvedAt = request.ResolvedAt?.UtcDateTime,
                            CausingDeploymentId = causeKey,
                            Link = request.Url,
                            Source = source,
                            ExternalId = externalId,
                            ReceivedAt = now,
                        };
                    break;
                }
                default:
                {
                    var caughtAt = Time("caughtAt");
                    fieldErrors = new FieldErrors(EventFields.CatchLabels);
                    if (caughtAt is null && Get("caughtAt") is null)
                        fieldErrors.Required(EventFields.CaughtAt, null);
                    var severity = Number("severity");
                    if (severity is null && Get("severity") is null)
                        fieldErrors.Required(EventFields.Severity, null);
                    var command = new RecordCatchCommand(
                        0,
                        0,
                        severity ?? 0,
                        Get("title"),
                        Get("description"),
                        Get("version"),
                        Get("reportedBy"),
                        caughtAt?.UtcDateTime ?? now,
                        source,
                        externalId
                    );
                    if (caughtAt is not null && severity is not null)
                        foreach (var (field, messages) in CatchRecorder.ValidateFields(command, now).Errors)
                        foreach (var message in messages)
                            fieldErrors.Add(field, message);
                    if (service is not null && Environment(service, Get("environment"), Problem) is { } environment)
                    {
                        if (environment.IsProduction)
                            Problem(EventFields.Environment, CatchRecorder.NotInProduction);
                        else if (!fieldErrors.Any && problems.Count == problemsBefore)
                            entity = new Catch
                            {
                                ServiceId = service.Id,
                                EnvironmentId = environment.Id,
                                Severity = command.Severity,
                                Title = command.Title!.Trim(),
                                Description = command.Description,
                                Version = command.Version,
                                ReportedBy = command.ReportedBy!.Trim(),
                                CaughtAt = command.CaughtAtUtc,
                                RecordedAt = now,
                                Source = source,
                                ExternalId = externalId,
                            };
                    }
                    break;
                }
            }

            foreach (var (field, messages) in fieldErrors.Errors)
            foreach (var message in messages)
                Problem(field, message);
            if (externalId is not null && !seen.Add((source, externalId)))
            {
                Problem("externalId", $"{source}/{externalId} appears on an earlier line too.");
                continue;
            }
            if (entity is null || problems.Count > problemsBefore)
                continue;
            if (
                externalId is not null
                && await IsStoredAsync(db, kind, service!.Id, source, externalId, cancellationToken)
            )
            {
                alreadyStored++;
                continue;
            }
            // Only rows that will be inserted can be what a later rollback line reverts; stored ones are found by
            // lookup.
            if (entity is Deployment fresh && externalId is not null)
                fileDeployments[(source, externalId)] = fresh;
            entities.Add(entity);
        }

        if (problems.Count > 0 || dryRun)
            return new ImportReport(
                kind,
                false,
                table.Rows.Count,
                problems.Count > 0 ? 0 : entities.Count,
                alreadyStored,
                problems
            );

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(entities);
            db.AuditEntries.Add(
                new AuditEntry
                {
                    At = now,
                    ActorKind = actor.Kind,
                    Actor = actor.Name,
                    ActorId = actor.Id,
                    Action = $"import.{kind.ToString().ToLowerInvariant()}",
                    Subject = "import",
                    After = $"{entities.Count} imported, {alreadyStored} already stored",
                }
            );
            await db.SaveChangesAsync(cancellationToken);
            // The immune system holds for imports too: a file that brings an incident still open is an incident opening
            // now, and the pause is part of the import's one transaction.
            db.ChangeTracker.AutoDetectChangesEnabled = true;
            foreach (var open in entities.OfType<Incident>().Where(i => i.ResolvedAt is null))
            foreach (var reaction in reactions)
                await reaction.ReactAsync(
                    db,
                    new IncidentOpened(open.ServiceId, open.Severity, open.Title),
                    cancellationToken
                );
            await transaction.CommitAsync(cancellationToken);
        });
        return new ImportReport(kind, true, table.Rows.Count, entities.Count, alreadyStored, []);
    }

    private static ServiceRow? ResolveService(
        List<ServiceRow> services,
        string? team,
        string? slug,
        Action<string, string> problem
    )
    {
        if (slug is null)
        {
            problem(EventFields.Service, "The service is required.");
            return null;
        }
        var matches = services.Where(s => s.Slug == slug && (team is null || s.TeamSlug == team)).ToList();
        if (matches.Count == 1)
            return matches[0];
        problem(
            matches.Count == 0 ? "service" : "team",
            matches.Count == 0
                ? $"There is no service \"{slug}\"{(team is null ? "" : $" in team {team}")}."
                : $"\"{slug}\" names a service in several teams; add a team column."
        );
        return null;
    }

    private static (int Id, bool IsProduction)? Environment(
        ServiceRow service,
        string? name,
        Action<string, string> problem
    )
    {
        if (name is null)
        {
            problem(EventFields.Environment, "The environment is required.");
            return null;
        }
        if (service.Environments.TryGetValue(name, out var environment))
            return environment;
        problem("environment", $"Service {service.Slug} has no environment \"{name}\".");
        return null;
    }

    private static Task<bool> IsStoredAsync(
        ReleaseBoardDbContext db,
        ImportKind kind,
        int serviceId,
        string source,
        string externalId,
        CancellationToken cancellationToken
    ) =>
        kind switch
        {
            ImportKind.Deployments => db.Deployments.AnyAsync(
                d => d.ServiceId == serviceId && d.Source == source && d.ExternalId == externalId,
                cancellationToken
            ),
            ImportKind.Incidents => db.Incidents.AnyAsync(
                i => i.ServiceId == serviceId && i.Source == source && i.ExternalId == externalId,
                cancellationToken
            ),
            _ => db.Catches.AnyAsync(
                c => c.ServiceId == serviceId && c.Source == source && c.ExternalId == externalId,
                cancellationToken
            ),
        };
}
