using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>
/// Applies a catalog: validates all of it first (a message per path, nothing written on any error), then creates and
/// updates in one transaction. Teams, services and environments that the store has and the catalog lacks are reported,
/// never deleted: removing a team's history is a decision, not a side effect of a missing line.
/// </summary>
public sealed partial class CatalogService(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock, Ingestion.ServiceResolver resolver)
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryPattern();

    public async Task<CatalogDocument> ExportAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = await db.Teams.AsNoTracking().Include(t => t.Services).ThenInclude(s => s.Environments).OrderBy(t => t.Slug).ToListAsync(cancellationToken);
        return new CatalogDocument(teams.Select(t => new CatalogTeamEntry(t.Slug, t.Name, t.TimeZoneId, t.CountingSeverityThreshold,
            t.Services.OrderBy(s => s.Slug).Select(s => new CatalogServiceEntry(s.Slug, s.Name, s.Repository, s.PagerDutyServiceId,
                s.Environments.OrderBy(e => e.Order).Select(e => new CatalogEnvironmentEntry(e.Name, e.IsProduction, e.RequiredApprovals, e.SoakMinutes,
                    new CatalogReadinessEntry(e.ReadinessMinDaysSinceCatch, e.ReadinessMaxMttrMinutes, e.ReadinessMaxChangeFailurePercent,
                        e.ReadinessRollbackWithinDays, e.ReadinessRollbackMaxMinutes))).ToList())).ToList())).ToList());
    }

    public async Task<CatalogReport> ApplyAsync(CatalogDocument? catalog, AuditActor actor, bool dryRun, CancellationToken cancellationToken = default)
    {
        var errors = Validate(catalog);
        if (errors.Count > 0) return new CatalogReport(false, [], [], 0, [], errors);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var existing = await db.Teams.Include(t => t.Services).ThenInclude(s => s.Environments).ToListAsync(cancellationToken);
            var created = new List<string>();
            var updated = new List<string>();
            var unchanged = 0;
            var now = clock.GetUtcNow().UtcDateTime;

            void Track(string path, bool isNew, bool changed)
            {
                if (isNew) created.Add(path);
                else if (changed) updated.Add(path);
                else unchanged++;
            }

            foreach (var teamEntry in catalog!.Teams!)
            {
                var team = existing.FirstOrDefault(t => t.Slug == teamEntry.Slug);
                var isNewTeam = team is null;
                team ??= db.Teams.Add(new Team { Slug = teamEntry.Slug!, Name = "", TimeZoneId = "", CreatedAt = now }).Entity;
                var teamChanged = Set(team.Name, teamEntry.Name!.Trim(), v => team.Name = v)
                                  | Set(team.TimeZoneId, teamEntry.TimeZone!, v => team.TimeZoneId = v)
                                  | Set(team.CountingSeverityThreshold, teamEntry.CountingSeverityThreshold ?? Severity.DefaultCountingThreshold, v => team.CountingSeverityThreshold = v);
                Track($"team {team.Slug}", isNewTeam, teamChanged);

                foreach (var serviceEntry in teamEntry.Services ?? [])
                {
                    var service = team.Services.FirstOrDefault(s => s.Slug == serviceEntry.Slug);
                    var isNewService = service is null;
                    if (service is null)
                    {
                        service = new Service { Slug = serviceEntry.Slug!, Name = "", Team = team };
                        team.Services.Add(service);
                    }
                    var serviceChanged = Set(service.Name, (serviceEntry.Name ?? serviceEntry.Slug)!.Trim(), v => service.Name = v)
                                         | Set(service.Repository, serviceEntry.Repository?.Trim(), v => service.Repository = v)
                                         | Set(service.PagerDutyServiceId, serviceEntry.PagerDutyServiceId?.Trim(), v => service.PagerDutyServiceId = v);
                    Track($"service {team.Slug}/{service.Slug}", isNewService, serviceChanged);

                    var order = 0;
                    foreach (var environmentEntry in serviceEntry.Environments!)
                    {
                        var environment = service.Environments.FirstOrDefault(e => e.Name == environmentEntry.Name);
                        var isNewEnvironment = environment is null;
                        if (environment is null)
                        {
                            environment = new ServiceEnvironment { Name = environmentEntry.Name!, Service = service, PromotionModeChangedAt = now, PromotionModeChangedBy = actor.Name };
                            service.Environments.Add(environment);
                        }
                        var production = environmentEntry.IsProduction ?? false;
                        var environmentChanged = Set(environment.Order, order++, v => environment.Order = v)
                                                 | Set(environment.IsProduction, production, v => environment.IsProduction = v)
                                                 | Set(environment.RequiredApprovals, environmentEntry.RequiredApprovals ?? (production ? 2 : 1), v => environment.RequiredApprovals = v)
                                                 | Set(environment.SoakMinutes, environmentEntry.SoakMinutes ?? 0, v => environment.SoakMinutes = v)
                                                 | SetReadiness(environment, environmentEntry.Readiness);
                        if (environmentChanged && !isNewEnvironment) environment.ConcurrencyStamp = Guid.NewGuid();
                        Track($"environment {team.Slug}/{service.Slug}/{environment.Name}", isNewEnvironment, environmentChanged);
                    }
                }
            }

            var notInCatalog = NotInCatalog(existing, catalog);
            if (dryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new CatalogReport(false, created, updated, unchanged, notInCatalog, new Dictionary<string, string[]>());
            }

            // Orders are unique per service only in intent: reordering two environments would briefly collide, so
            // nothing enforces it in the schema. One SaveChanges writes every change.
            db.AuditEntries.Add(new AuditEntry
            {
                At = now, ActorKind = actor.Kind, Actor = actor.Name, Action = "catalog.applied", Subject = "catalog",
                After = $"{created.Count} created, {updated.Count} updated, {unchanged} unchanged, {notInCatalog.Count} not in the catalog (kept)",
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            resolver.Invalidate();
            return new CatalogReport(true, created, updated, unchanged, notInCatalog, new Dictionary<string, string[]>());
        });
    }

    /// <summary>The catalog is the whole truth: a threshold it omits goes back to its default.</summary>
    private static bool SetReadiness(ServiceEnvironment environment, CatalogReadinessEntry? wanted)
    {
        var defaults = CatalogReadinessEntry.Defaults;
        return Set(environment.ReadinessMinDaysSinceCatch, wanted?.MinDaysSinceCatch ?? defaults.MinDaysSinceCatch!.Value, v => environment.ReadinessMinDaysSinceCatch = v)
               | Set(environment.ReadinessMaxMttrMinutes, wanted?.MaxMttrMinutes ?? defaults.MaxMttrMinutes!.Value, v => environment.ReadinessMaxMttrMinutes = v)
               | Set(environment.ReadinessMaxChangeFailurePercent, wanted?.MaxChangeFailurePercent ?? defaults.MaxChangeFailurePercent!.Value, v => environment.ReadinessMaxChangeFailurePercent = v)
               | Set(environment.ReadinessRollbackWithinDays, wanted?.RollbackWithinDays ?? defaults.RollbackWithinDays!.Value, v => environment.ReadinessRollbackWithinDays = v)
               | Set(environment.ReadinessRollbackMaxMinutes, wanted?.RollbackMaxMinutes ?? defaults.RollbackMaxMinutes!.Value, v => environment.ReadinessRollbackMaxMinutes = v);
    }

    private static bool Set<T>(T current, T wanted, Action<T> assign)
    {
        if (EqualityComparer<T>.Default.Equals(current, wanted)) return false;
        assign(wanted);
        return true;
    }

    private static List<string> NotInCatalog(List<Team> existing, CatalogDocument catalog)
    {
        var result = new List<string>();
        foreach (var team in existing)
        {
            var teamEntry = catalog.Teams!.FirstOrDefault(t => t.Slug == team.Slug);
            if (teamEntry is null) { result.Add($"team {team.Slug}{(team.IsDemo ? " (demo)" : "")}"); continue; }
            foreach (var service in team.Services)
            {
                var serviceEntry = teamEntry.Services?.FirstOrDefault(s => s.Slug == service.Slug);
                if (serviceEntry is null) { result.Add($"service {team.Slug}/{service.Slug}"); continue; }
                result.AddRange(service.Environments.Where(e => serviceEntry.Environments!.All(x => x.Name != e.Name))
                    .Select(e => $"environment {team.Slug}/{service.Slug}/{e.Name}"));
            }
        }
        return result;
    }

    /// <summary>Every problem, each on its JSON path, before anything is written.</summary>
    public static Dictionary<string, string[]> Validate(CatalogDocument? catalog)
    {
        var errors = new Ingestion.FieldErrors();
        if (catalog?.Teams is null) { errors.Add("teams", "The catalog has a \"teams\" list."); return errors.Errors; }

        var teamSlugs = new HashSet<string>();
        for (var t = 0; t < catalog.Teams.Count; t++)
        {
            var team = catalog.Teams[t];
            var at = $"teams[{t}]";
            if (team is null) { errors.Add(at, "A team is an object."); continue; }
            if (team.Slug is null || !SlugPattern().IsMatch(team.Slug)) errors.Add($"{at}.slug", "A slug is 1–64 lowercase letters, digits and dashes.");
            else if (!teamSlugs.Add(team.Slug)) errors.Add($"{at}.slug", $"Team \"{team.Slug}\" is listed twice.");
            if (string.IsNullOrWhiteSpace(team.Name) || team.Name.Length > 200) errors.Add($"{at}.name", "A team has a name of 1–200 characters.");
            if (team.TimeZone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(team.TimeZone, out _))
                errors.Add($"{at}.timeZone", $"\"{team.TimeZone}\" is not an IANA time zone, e.g. Europe/Berlin.");
            if (team.CountingSeverityThreshold is { } threshold && !Severity.IsValid(threshold))
                errors.Add($"{at}.countingSeverityThreshold", "The threshold is a severity, 1 to 4.");

            var serviceSlugs = new HashSet<string>();
            for (var s = 0; s < (team.Services?.Count ?? 0); s++)
            {
                var service = team.Services![s];
                var sat = $"{at}.services[{s}]";
                if (service is null) { errors.Add(sat, "A service is an object."); continue; }
                if (service.Slug is null || !SlugPattern().IsMatch(service.Slug)) errors.Add($"{sat}.slug", "A slug is 1–64 lowercase letters, digits and dashes.");
                else if (!serviceSlugs.Add(service.Slug)) errors.Add($"{sat}.slug", $"Service \"{service.Slug}\" is listed twice in team {team.Slug}.");
                if (service.Name is { Length: > 200 }) errors.Add($"{sat}.name", "At most 200 characters.");
                if (service.Repository is { } repository && !RepositoryPattern().IsMatch(repository)) errors.Add($"{sat}.repository", "A repository is \"owner/name\".");
                if (service.PagerDutyServiceId is { Length: > 32 }) errors.Add($"{sat}.pagerDutyServiceId", "At most 32 characters.");
                if (service.Environments is not { Count: > 0 }) { errors.Add($"{sat}.environments", "A service has its environments, in pipeline order."); continue; }

                var names = new HashSet<string>();
                for (var e = 0; e < service.Environments.Count; e++)
                {
                    var environment = service.Environments[e];
                    var eat = $"{sat}.environments[{e}]";
                    if (environment is null) { errors.Add(eat, "An environment is an object."); continue; }
                    if (environment.Name is null || !SlugPattern().IsMatch(environment.Name)) errors.Add($"{eat}.name", "A name is 1–64 lowercase letters, digits and dashes.");
                    else if (!names.Add(environment.Name)) errors.Add($"{eat}.name", $"Environment \"{environment.Name}\" is listed twice.");
                    if (environment.RequiredApprovals is < 1 or > 5) errors.Add($"{eat}.requiredApprovals", "1 to 5 approvers.");
                    if (environment.SoakMinutes is < 0 or > 10_080) errors.Add($"{eat}.soakMinutes", "0 to 10080 minutes (a week).");
                    if (environment.Readiness is { } readiness)
                        foreach (var (field, min, max, read) in CatalogReadinessEntry.Ranges)
                            if (read(readiness) is { } value && (value < min || value > max))
                                errors.Add($"{eat}.readiness.{field}", $"{min} to {max}.");
                }
                if (service.Environments.Count(e => e?.IsProduction == true) != 1)
                    errors.Add($"{sat}.environments", "Exactly one environment is production (\"isProduction\": true).");
            }
        }
        return errors.Errors;
    }
}
