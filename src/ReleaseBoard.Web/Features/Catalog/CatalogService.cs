using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// Applies a catalog all or nothing: every path checked first, then one transaction with an audit entry per change.
/// What the catalog lacks is reported, never deleted (a typo must not delete a team's history).
/// </summary>
public sealed partial class CatalogService(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    ReleaseBoard.Web.Api.ServiceResolver resolver
)
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryPattern();

    public async Task<CatalogDocument> ExportAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = await db
            .Teams.AsNoTracking()
            .Include(t => t.Services)
                .ThenInclude(s => s.Environments)
                    .ThenInclude(e => e.Windows)
            .OrderBy(t => t.Slug)
            .ToListAsync(cancellationToken);
        return new CatalogDocument(
            teams
                .Select(t => new CatalogTeamEntry(
                    t.Slug,
                    t.Name,
                    t.TimeZoneId,
                    t.CountingSeverityThreshold,
                    t.Services.OrderBy(s => s.Slug).Select(Export).ToList()
                ))
                .ToList()
        );
    }

    private static CatalogServiceEntry Export(Service s) =>
        new(
            s.Slug,
            s.Name,
            s.Repository,
            s.PagerDutyServiceId,
            s.Environments.OrderBy(e => e.Order)
                .Select(e => new CatalogEnvironmentEntry(
                    e.Name,
                    e.IsProduction,
                    e.RequiredApprovals,
                    e.SoakMinutes,
                    CatalogPolicy.ReadinessOf(e),
                    e.Windows.OrderBy(w => w.Id).Select(CatalogPolicy.WindowOf).ToList(),
                    e.Namespace
                ))
                .ToList(),
            s.Workload
        );

    public async Task<CatalogReport> ApplyAsync(
        CatalogDocument? catalog,
        AuditActor actor,
        bool dryRun,
        CancellationToken cancellationToken = default
    )
    {
        // A key is a machine: it may shape the catalog, never loosen (or tighten) what people decided.
        var byMachine = actor.Kind == AuditActorKind.ApiKey;
        var errors = Validate(catalog, byMachine);
        if (errors.Count > 0)
            return CatalogReport.Refused(errors);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var existing = await db
                .Teams.Include(t => t.Services)
                    .ThenInclude(s => s.Environments)
                        .ThenInclude(e => e.Windows)
                .ToListAsync(cancellationToken);
            if (byMachine && CatalogPolicy.ChangesBy(catalog!, existing) is { Count: > 0 } policy)
                return CatalogReport.Refused(policy, policyChange: true);
            if (byMachine && CatalogPolicy.GapsIn(catalog!, existing) is { Count: > 0 } gaps)
                return CatalogReport.Refused(gaps);

            var now = clock.GetUtcNow().UtcDateTime;
            var changes = new CatalogChanges();
            foreach (var teamEntry in catalog!.Teams!)
                ApplyTeam(db, existing, teamEntry, changes, actor, byMachine, now);

            if (SharedIntegrationIds(db) is { Count: > 0 } shared)
                return CatalogReport.Refused(shared);
            var notInCatalog = NotInCatalog(existing, catalog);
            if (dryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                return changes.Report(applied: false, notInCatalog);
            }

            foreach (var change in changes.Entries)
                db.AuditEntries.Add(change.ToAudit(actor, now));
            db.AuditEntries.Add(
                new AuditEntry
                {
                    At = now,
                    ActorKind = actor.Kind,
                    Actor = actor.Name,
                    ActorId = actor.Id,
                    Action = "catalog.applied",
                    Subject = "catalog",
                    After =
                        $"{changes.Created.Count} created, {changes.Updated.Count} updated, {changes.Unchanged} "
                        + $"unchanged, {notInCatalog.Count} not in the catalog (kept)",
                }
            );
            // Other instances remember slugs for ingestion: the stamp has them forget at their next poll.
            await AccessRevocation.MarkAsync(db, now, cancellationToken);
            // Orders are unique per service only in intent: reordering two environments would briefly collide, so
            // nothing enforces it in the schema. One SaveChanges writes every change.
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            resolver.Invalidate();
            return changes.Report(applied: true, notInCatalog);
        });
    }

    private static void ApplyTeam(
        ReleaseBoardDbContext db,
        List<Team> existing,
        CatalogTeamEntry entry,
        CatalogChanges changes,
        AuditActor actor,
        bool byMachine,
        DateTime now
    )
    {
        var team = existing.FirstOrDefault(t => t.Slug == entry.Slug);
        var isNew = team is null;
        team ??= db
            .Teams.Add(
                new Team
                {
                    Slug = entry.Slug!,
                    Name = "",
                    TimeZoneId = "",
                    CreatedAt = now,
                }
            )
            .Entity;
        var log = changes.For($"team {team.Slug}", isNew);
        log.Set("name", team.Name, entry.Name!.Trim(), v => team.Name = v);
        // Only a key may leave the zone out (of a team that exists: CatalogPolicy.GapsIn); it keeps the stored one.
        log.Set("timeZone", team.TimeZoneId, entry.TimeZone ?? team.TimeZoneId, v => team.TimeZoneId = v);
        var threshold = entry.CountingSeverityThreshold
            ?? (byMachine && !isNew ? team.CountingSeverityThreshold : Severity.DefaultCountingThreshold);
        log.Set("countingSeverityThreshold", team.CountingSeverityThreshold, threshold, v =>
            team.CountingSeverityThreshold = v
        );
        changes.Done(log);

        foreach (var serviceEntry in entry.Services ?? [])
        {
            var service = team.Services.FirstOrDefault(s => s.Slug == serviceEntry.Slug);
            var isNewService = service is null;
            if (service is null)
            {
                service = new Service
                {
                    Slug = serviceEntry.Slug!,
                    Name = "",
                    Team = team,
                };
                team.Services.Add(service);
            }
            var serviceLog = changes.For($"service {team.Slug}/{service.Slug}", isNewService);
            serviceLog.Set("name", service.Name, (serviceEntry.Name ?? serviceEntry.Slug)!.Trim(), v =>
                service.Name = v
            );
            // Integration ids route webhooks (and so pauses): a key that leaves one out keeps it, as with policy;
            // people's whole-truth document clears it.
            serviceLog.Set(
                "repository",
                service.Repository,
                serviceEntry.Repository?.Trim() ?? (byMachine ? service.Repository : null),
                v => service.Repository = v
            );
            serviceLog.Set(
                "pagerDutyServiceId",
                service.PagerDutyServiceId,
                serviceEntry.PagerDutyServiceId?.Trim() ?? (byMachine ? service.PagerDutyServiceId : null),
                v => service.PagerDutyServiceId = v
            );
            serviceLog.Set(
                "workload",
                service.Workload,
                serviceEntry.Workload?.Trim() ?? (byMachine ? service.Workload : null),
                v => service.Workload = v
            );
            changes.Done(serviceLog);
            ApplyEnvironments(team, service, serviceEntry, changes, actor, byMachine, now);
        }
    }

    private static void ApplyEnvironments(
        Team team,
        Service service,
        CatalogServiceEntry entry,
        CatalogChanges changes,
        AuditActor actor,
        bool byMachine,
        DateTime now
    )
    {
        // People set the pipeline's order by the document's; a machine appends only (CatalogPolicy refused the rest).
        var nextAppended = service.Environments.Count == 0 ? 0 : service.Environments.Max(e => e.Order) + 1;
        var order = 0;
        foreach (var environmentEntry in entry.Environments!)
        {
            var position = order++;
            var environment = service.Environments.FirstOrDefault(e => e.Name == environmentEntry.Name);
            var isNew = environment is null;
            if (environment is null)
            {
                environment = new ServiceEnvironment
                {
                    Name = environmentEntry.Name!,
                    Service = service,
                    PromotionModeChangedAt = now,
                    PromotionModeChangedBy = actor.Name,
                    Order = byMachine ? nextAppended++ : position,
                };
                service.Environments.Add(environment);
            }
            var log = changes.For($"environment {team.Slug}/{service.Slug}/{environment.Name}", isNew);
            var wanted = CatalogPolicy.Effective(environmentEntry, isNew || !byMachine ? null : environment);
            if (!byMachine)
                log.Set("order", environment.Order, position, v => environment.Order = v);
            log.Set("isProduction", environment.IsProduction, wanted.IsProduction, v => environment.IsProduction = v);
            log.Set("requiredApprovals", environment.RequiredApprovals, wanted.RequiredApprovals, v =>
                environment.RequiredApprovals = v
            );
            log.Set("soakMinutes", environment.SoakMinutes, wanted.SoakMinutes, v => environment.SoakMinutes = v);
            log.Set(
                "namespace",
                environment.Namespace,
                environmentEntry.Namespace?.Trim() ?? (byMachine ? environment.Namespace : null),
                v => environment.Namespace = v
            );
            CatalogPolicy.SetReadiness(log, environment, wanted.Readiness);
            if (environmentEntry.Windows is { } windows)
                CatalogPolicy.SetWindows(log, environment, windows, actor, now);
            if (log.Changed && !isNew)
                environment.ConcurrencyStamp = Guid.NewGuid();
            changes.Done(log);
        }
    }

    /// <summary>
    /// A repository or PagerDuty service that two services would name, after this document: a webhook could not tell
    /// which one it speaks for (and a secret bound to the repository would speak for both).
    /// </summary>
    private static Dictionary<string, string[]> SharedIntegrationIds(ReleaseBoardDbContext db)
    {
        var errors = new ReleaseBoard.Web.Api.FieldErrors();
        var services = db
            .ChangeTracker.Entries<Service>()
            .Select(e => e.Entity)
            .Select(s => (Name: $"{s.Team.Slug}/{s.Slug}", s.Repository, s.PagerDutyServiceId))
            .ToList();
        foreach (
            var (field, read) in new (string, Func<(string, string?, string?), string?>)[]
            {
                ("repository", s => s.Item2),
                ("pagerDutyServiceId", s => s.Item3),
            }
        )
        foreach (
            var shared in services
                .Where(s => read(s) is not null)
                .GroupBy(s => read(s)!, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1)
        )
        {
            var names = string.Join(" and ", shared.Select(s => s.Name).Order());
            errors.Add(field, $"\"{shared.Key}\" would belong to {names}; it belongs to one service.");
        }
        return errors.Errors;
    }

    private static List<string> NotInCatalog(List<Team> existing, CatalogDocument catalog)
    {
        var result = new List<string>();
        foreach (var team in existing)
        {
            var teamEntry = catalog.Teams!.FirstOrDefault(t => t.Slug == team.Slug);
            if (teamEntry is null)
            {
                result.Add($"team {team.Slug}{(team.IsDemo ? " (demo)" : "")}");
                continue;
            }
            foreach (var service in team.Services)
            {
                var serviceEntry = teamEntry.Services?.FirstOrDefault(s => s.Slug == service.Slug);
                if (serviceEntry is null)
                {
                    result.Add($"service {team.Slug}/{service.Slug}");
                    continue;
                }
                result.AddRange(
                    service
                        .Environments.Where(e => serviceEntry.Environments!.All(x => x.Name != e.Name))
                        .Select(e => $"environment {team.Slug}/{service.Slug}/{e.Name}")
                );
            }
        }
        return result;
    }

    private const string SlugRule = "A slug is 1–64 lowercase letters, digits and dashes.";

    /// <summary>
    /// Every problem, each on its JSON path, before anything is written. A key's document may leave out what it may
    /// not change anyway (a team's time zone, which stage is production); <see cref="CatalogPolicy.GapsIn"/> checks
    /// that the store has it.
    /// </summary>
    public static Dictionary<string, string[]> Validate(CatalogDocument? catalog, bool byMachine = false)
    {
        var errors = new ReleaseBoard.Web.Api.FieldErrors();
        if (catalog?.Teams is null)
        {
            errors.Add("teams", "The catalog has a \"teams\" list.");
            return errors.Errors;
        }

        var teamSlugs = new HashSet<string>();
        for (var t = 0; t < catalog.Teams.Count; t++)
        {
            var team = catalog.Teams[t];
            var at = $"teams[{t}]";
            if (team is null)
            {
                errors.Add(at, "A team is an object.");
                continue;
            }
            if (team.Slug is null || !SlugPattern().IsMatch(team.Slug))
                errors.Add($"{at}.slug", SlugRule);
            else if (!teamSlugs.Add(team.Slug))
                errors.Add($"{at}.slug", $"Team \"{team.Slug}\" is listed twice.");
            if (string.IsNullOrWhiteSpace(team.Name) || team.Name.Length > 200)
                errors.Add($"{at}.name", "A team has a name of 1–200 characters.");
            if (team.TimeZone is null && !byMachine)
                errors.Add($"{at}.timeZone", "A team names its IANA time zone, e.g. Europe/Berlin.");
            else if (team.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(team.TimeZone, out _))
                errors.Add($"{at}.timeZone", $"\"{team.TimeZone}\" is not an IANA time zone, e.g. Europe/Berlin.");
            if (team.CountingSeverityThreshold is { } threshold && !Severity.IsValid(threshold))
                errors.Add($"{at}.countingSeverityThreshold", "The threshold is a severity, 1 to 4.");

            var serviceSlugs = new HashSet<string>();
            for (var s = 0; s < (team.Services?.Count ?? 0); s++)
                ValidateService(errors, team.Services![s], $"{at}.services[{s}]", team.Slug, serviceSlugs, byMachine);
        }
        return errors.Errors;
    }

    private static void ValidateService(
        ReleaseBoard.Web.Api.FieldErrors errors,
        CatalogServiceEntry? service,
        string at,
        string? team,
        HashSet<string> slugs,
        bool byMachine
    )
    {
        if (service is null)
        {
            errors.Add(at, "A service is an object.");
            return;
        }
        if (service.Slug is null || !SlugPattern().IsMatch(service.Slug))
            errors.Add($"{at}.slug", SlugRule);
        else if (!slugs.Add(service.Slug))
            errors.Add($"{at}.slug", $"Service \"{service.Slug}\" is listed twice in team {team}.");
        if (service.Name is { Length: > 200 })
            errors.Add($"{at}.name", "At most 200 characters.");
        if (service.Repository is { } repository && !RepositoryPattern().IsMatch(repository))
            errors.Add($"{at}.repository", "A repository is \"owner/name\".");
        if (service.PagerDutyServiceId is { Length: > 32 })
            errors.Add($"{at}.pagerDutyServiceId", "At most 32 characters.");
        if (service.Workload is { } workload && !SlugPattern().IsMatch(workload))
            errors.Add($"{at}.workload", "A Kubernetes name: 1–64 lowercase letters, digits and dashes.");
        if (service.Environments is not { Count: > 0 })
        {
            errors.Add($"{at}.environments", "A service has its environments, in pipeline order.");
            return;
        }

        var names = new HashSet<string>();
        for (var e = 0; e < service.Environments.Count; e++)
        {
            var environment = service.Environments[e];
            var eat = $"{at}.environments[{e}]";
            if (environment is null)
            {
                errors.Add(eat, "An environment is an object.");
                continue;
            }
            if (environment.Name is null || !SlugPattern().IsMatch(environment.Name))
                errors.Add($"{eat}.name", "A name is 1–64 lowercase letters, digits and dashes.");
            else if (!names.Add(environment.Name))
                errors.Add($"{eat}.name", $"Environment \"{environment.Name}\" is listed twice.");
            if (environment.Namespace is { } space && !SlugPattern().IsMatch(space))
                errors.Add($"{eat}.namespace", "A Kubernetes namespace: 1–64 lowercase letters, digits and dashes.");
            if (environment.RequiredApprovals is < 1 or > 5)
                errors.Add($"{eat}.requiredApprovals", "1 to 5 approvers.");
            if (environment.SoakMinutes is < 0 or > 10_080)
                errors.Add($"{eat}.soakMinutes", "0 to 10080 minutes (a week).");
            if (environment.Readiness is { } readiness)
                foreach (var (field, min, max, read) in CatalogReadinessEntry.Ranges)
                    if (read(readiness) is { } value && (value < min || value > max))
                        errors.Add($"{eat}.readiness.{field}", $"{min} to {max}.");
            CatalogPolicy.ValidateWindows(errors, eat, environment.Windows);
        }
        var omitted = byMachine && service.Environments.Any(e => e is { IsProduction: null });
        if (!omitted && service.Environments.Count(e => e?.IsProduction == true) != 1)
            errors.Add($"{at}.environments", "Exactly one environment is production (\"isProduction\": true).");
    }
}
