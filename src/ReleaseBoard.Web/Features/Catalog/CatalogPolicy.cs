using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Catalog;

/// <summary>An environment's policy as a catalog entry asks for it, omitted fields filled in.</summary>
public sealed record EnvironmentPolicy(
    bool IsProduction,
    int RequiredApprovals,
    int SoakMinutes,
    CatalogReadinessEntry Readiness
);

/// <summary>
/// Promotion policy (approvals, soak, readiness, environment order, production, zone, threshold): changed by people,
/// never by an API key, so a leaked key cannot switch four eyes off (decision 0001).
/// </summary>
public static class CatalogPolicy
{
    private const string Why =
        "is promotion policy: an Admin (Admin → Catalog) or an operator (catalog apply) "
        + "changes it, never an API key.";

    public static CatalogReadinessEntry ReadinessOf(ServiceEnvironment e) =>
        new(
            e.ReadinessMinDaysSinceCatch,
            e.ReadinessMaxMttrMinutes,
            e.ReadinessMaxChangeFailurePercent,
            e.ReadinessRollbackWithinDays,
            e.ReadinessRollbackMaxMinutes
        );

    /// <summary>
    /// What the entry asks for. Omitted fields are the defaults when <paramref name="keep"/> is null (people's catalog
    /// is the whole truth; a new environment starts from the defaults), else what <paramref name="keep"/> has now.
    /// </summary>
    public static EnvironmentPolicy Effective(CatalogEnvironmentEntry entry, ServiceEnvironment? keep)
    {
        var production = entry.IsProduction ?? keep?.IsProduction ?? false;
        var current = keep is null ? CatalogReadinessEntry.Defaults : ReadinessOf(keep);
        var asked = entry.Readiness;
        return new EnvironmentPolicy(
            production,
            entry.RequiredApprovals ?? keep?.RequiredApprovals ?? (production ? 2 : 1),
            entry.SoakMinutes ?? keep?.SoakMinutes ?? 0,
            new CatalogReadinessEntry(
                asked?.MinDaysSinceCatch ?? current.MinDaysSinceCatch,
                asked?.MaxMttrMinutes ?? current.MaxMttrMinutes,
                asked?.MaxChangeFailurePercent ?? current.MaxChangeFailurePercent,
                asked?.RollbackWithinDays ?? current.RollbackWithinDays,
                asked?.RollbackMaxMinutes ?? current.RollbackMaxMinutes
            )
        );
    }

    public static void SetReadiness(CatalogChanges.Log log, ServiceEnvironment e, CatalogReadinessEntry wanted)
    {
        log.Set("readiness.minDaysSinceCatch", e.ReadinessMinDaysSinceCatch, wanted.MinDaysSinceCatch!.Value, v =>
            e.ReadinessMinDaysSinceCatch = v
        );
        log.Set("readiness.maxMttrMinutes", e.ReadinessMaxMttrMinutes, wanted.MaxMttrMinutes!.Value, v =>
            e.ReadinessMaxMttrMinutes = v
        );
        log.Set(
            "readiness.maxChangeFailurePercent",
            e.ReadinessMaxChangeFailurePercent,
            wanted.MaxChangeFailurePercent!.Value,
            v => e.ReadinessMaxChangeFailurePercent = v
        );
        log.Set("readiness.rollbackWithinDays", e.ReadinessRollbackWithinDays, wanted.RollbackWithinDays!.Value, v =>
            e.ReadinessRollbackWithinDays = v
        );
        log.Set("readiness.rollbackMaxMinutes", e.ReadinessRollbackMaxMinutes, wanted.RollbackMaxMinutes!.Value, v =>
            e.ReadinessRollbackMaxMinutes = v
        );
    }

    /// <summary>
    /// Every field of a machine's catalog that would change policy, by its JSON path; empty when it changes none.
    /// Omitted policy fields keep what the store has; a new environment must take the defaults; existing stages keep
    /// their order and new ones go after the last.
    /// </summary>
    public static Dictionary<string, string[]> ChangesBy(CatalogDocument catalog, IReadOnlyList<Team> existing)
    {
        var errors = new ReleaseBoard.Web.Api.FieldErrors();
        for (var t = 0; t < catalog.Teams!.Count; t++)
        {
            var entry = catalog.Teams[t];
            var team = existing.FirstOrDefault(x => x.Slug == entry.Slug);
            if (team is null)
                continue; // a new team: its services and stages start from the defaults, checked below
            var at = $"teams[{t}]";
            if (entry.TimeZone is { } zone && zone != team.TimeZoneId)
                errors.Add($"{at}.timeZone", Differs(team.TimeZoneId));
            if (entry.CountingSeverityThreshold is { } threshold && threshold != team.CountingSeverityThreshold)
                errors.Add($"{at}.countingSeverityThreshold", Differs(team.CountingSeverityThreshold));
        }
        for (var t = 0; t < catalog.Teams.Count; t++)
        {
            var team = existing.FirstOrDefault(x => x.Slug == catalog.Teams[t].Slug);
            var services = catalog.Teams[t].Services ?? [];
            for (var s = 0; s < services.Count; s++)
                CheckService(
                    errors,
                    $"teams[{t}].services[{s}]",
                    services[s],
                    team?.Services.FirstOrDefault(x => x.Slug == services[s].Slug)
                );
        }
        return errors.Errors;
    }

    /// <summary>
    /// What a key's document left out that the store must supply: a new team's time zone, and for each service
    /// exactly one production stage once omitted flags take the stored ones (a new stage is not production).
    /// </summary>
    public static Dictionary<string, string[]> GapsIn(CatalogDocument catalog, IReadOnlyList<Team> existing)
    {
        var errors = new ReleaseBoard.Web.Api.FieldErrors();
        for (var t = 0; t < catalog.Teams!.Count; t++)
        {
            var entry = catalog.Teams[t];
            var team = existing.FirstOrDefault(x => x.Slug == entry.Slug);
            if (team is null && entry.TimeZone is null)
                errors.Add($"teams[{t}].timeZone", "A new team names its IANA time zone, e.g. Europe/Berlin.");
            var services = entry.Services ?? [];
            for (var s = 0; s < services.Count; s++)
            {
                var stored = team?.Services.FirstOrDefault(x => x.Slug == services[s].Slug)?.Environments ?? [];
                var production = services[s]
                    .Environments!.Count(e =>
                        e.IsProduction ?? stored.FirstOrDefault(x => x.Name == e.Name)?.IsProduction ?? false
                    );
                if (production != 1)
                    errors.Add(
                        $"teams[{t}].services[{s}].environments",
                        "Exactly one environment is production (\"isProduction\": true)."
                    );
            }
        }
        return errors.Errors;
    }

    private static void CheckService(
        ReleaseBoard.Web.Api.FieldErrors errors,
        string at,
        CatalogServiceEntry entry,
        Service? service
    )
    {
        var stored = service?.Environments.OrderBy(e => e.Order).ToList() ?? [];
        var lastStoredSeen = -1;
        for (var e = 0; e < entry.Environments!.Count; e++)
        {
            var environmentEntry = entry.Environments[e];
            var eat = $"{at}.environments[{e}]";
            var environment = stored.FirstOrDefault(x => x.Name == environmentEntry.Name);
            var index = environment is null ? -1 : stored.IndexOf(environment);
            if (environment is null && lastStoredSeen < stored.Count - 1)
                errors.Add(
                    $"{eat}.name",
                    "The order of environments " + Why + " A new environment may be added after the last one."
                );
            if (environment is not null && index < lastStoredSeen)
                errors.Add($"{eat}.name", "The order of environments " + Why);
            lastStoredSeen = Math.Max(lastStoredSeen, index);

            var baseline = Effective(
                environmentEntry with
                {
                    RequiredApprovals = null,
                    SoakMinutes = null,
                    Readiness = null,
                    IsProduction = environment is null ? environmentEntry.IsProduction : null,
                },
                environment
            );
            var asked = Effective(environmentEntry, environment);
            if (environment is not null && asked.IsProduction != environment.IsProduction)
                errors.Add($"{eat}.isProduction", Differs(environment.IsProduction));
            if (environment is null && service is not null && asked.IsProduction)
                errors.Add($"{eat}.isProduction", "Which stage is production " + Why);
            if (asked.RequiredApprovals != baseline.RequiredApprovals)
                errors.Add($"{eat}.requiredApprovals", Differs(baseline.RequiredApprovals));
            if (asked.SoakMinutes != baseline.SoakMinutes)
                errors.Add($"{eat}.soakMinutes", Differs(baseline.SoakMinutes));
            foreach (var (field, _, _, read) in CatalogReadinessEntry.Ranges)
                if (read(asked.Readiness) != read(baseline.Readiness))
                    errors.Add($"{eat}.readiness.{field}", Differs(read(baseline.Readiness)));
            var storedWindows = environment is null
                ? ""
                : WindowsText(environment.Windows.OrderBy(w => w.Id).Select(WindowOf));
            if (environmentEntry.Windows is { } windows && WindowsText(windows) != storedWindows)
                errors.Add($"{eat}.windows", "Windows " + Why);
        }
    }

    public static CatalogWindowEntry WindowOf(PromotionWindow w) =>
        w.Kind == WindowKind.Allow ? new(w.Rule, null, w.Reason) : new(null, w.Rule, w.Reason);

    /// <summary>A window set as one comparable text: spacing and case as the parser reads them, not as typed.</summary>
    private static string WindowsText(IEnumerable<CatalogWindowEntry> windows) =>
        string.Join(
            "; ",
            windows.Select(w =>
                Windows.WindowRule.Describe(
                    w.Allow is not null ? WindowKind.Allow : WindowKind.Deny,
                    Windows.WindowRule.TryParse(w.Allow ?? w.Deny, out var rule, out _)
                        ? rule.Text.ToLowerInvariant()
                        : w.Allow ?? w.Deny ?? "",
                    string.IsNullOrWhiteSpace(w.Reason) ? null : w.Reason.Trim()
                )
            )
        );

    public static void ValidateWindows(
        ReleaseBoard.Web.Api.FieldErrors errors,
        string at,
        IReadOnlyList<CatalogWindowEntry?>? windows
    )
    {
        for (var w = 0; w < (windows?.Count ?? 0); w++)
        {
            var wat = $"{at}.windows[{w}]";
            if (windows![w] is not { } window || (window.Allow is null) == (window.Deny is null))
                errors.Add(wat, "A window is {\"allow\": \"…\"} or {\"deny\": \"…\"}, one of the two.");
            else if (!Windows.WindowRule.TryParse(window.Allow ?? window.Deny, out _, out var problem))
                errors.Add($"{wat}.{(window.Allow is null ? "deny" : "allow")}", problem);
            else if (window.Reason is { Length: > Windows.DeploymentWindows.ReasonMaxLength })
                errors.Add($"{wat}.reason", $"At most {Windows.DeploymentWindows.ReasonMaxLength} characters.");
        }
    }

    /// <summary>People's document gives the whole window set: the stored one is replaced when it differs.</summary>
    public static void SetWindows(
        CatalogChanges.Log log,
        ServiceEnvironment environment,
        IReadOnlyList<CatalogWindowEntry> windows,
        AuditActor actor,
        DateTime now
    ) =>
        log.Set(
            "windows",
            WindowsText(environment.Windows.OrderBy(w => w.Id).Select(WindowOf)),
            WindowsText(windows),
            _ =>
            {
                environment.Windows.Clear();
                foreach (var w in windows)
                    environment.Windows.Add(
                        new PromotionWindow
                        {
                            Kind = w.Allow is not null ? WindowKind.Allow : WindowKind.Deny,
                            Rule = Windows.WindowRule.Parse(w.Allow ?? w.Deny!).Text,
                            Reason = string.IsNullOrWhiteSpace(w.Reason) ? null : w.Reason.Trim(),
                            CreatedAt = now,
                            CreatedBy = actor.Name,
                        }
                    );
            }
        );

    private static string Differs<T>(T stands) => $"This {Why} It stays {Format(stands)}.";

    private static string Format<T>(T value) =>
        value switch
        {
            bool b => b ? "true" : "false",
            null => "unset",
            _ => value.ToString()!,
        };
}
