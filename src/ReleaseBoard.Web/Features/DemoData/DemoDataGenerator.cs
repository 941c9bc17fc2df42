using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;

namespace ReleaseBoard.Web.Features.DemoData;

/// <summary>
/// About a year of plausible history ending now (batched manual promotions, rollbacks, varied recoveries).
/// Deterministic for a seed and start, so a bug seen on the demo can be seen again.
/// </summary>
public sealed class DemoDataGenerator(int seed = 20261127)
{
    private readonly Random _random = new(seed);

    private sealed record TeamPlan(string Slug, string Name, string TimeZoneId, (string Slug, string Name)[] Services);

    private static readonly TeamPlan[] Plans =
    [
        new(
            "payments",
            "Payments",
            "Europe/Berlin",
            [("payments-api", "payments-api"), ("ledger", "ledger"), ("checkout-web", "checkout-web")]
        ),
        new("search", "Search", "America/New_York", [("search-api", "search-api"), ("indexer", "indexer")]),
        new("platform", "Platform", "Australia/Sydney", [("identity", "identity"), ("notifications", "notifications")]),
    ];

    private static readonly string[] CatchTitles =
    [
        "Double charge on retry",
        "Refund rounds to the wrong currency unit",
        "Migration locks the orders table",
        "Login loop after token refresh",
        "Search returns another tenant's documents",
        "Cache key ignores locale",
        "Webhook signature check skipped on retry",
        "Nightly job deletes active sessions",
        "Timeout too short for EU region",
        "Feature flag defaults to on for everyone",
        "Memory leak under sustained load",
        "Wrong VAT for B2B invoices",
        "Index rebuild drops synonyms",
        "Push notifications sent twice",
        "Password reset link never expires",
        "Pagination skips every 50th item",
        "Health check passes while database is down",
        "Config reload crashes the worker",
    ];

    private static readonly string[] IncidentTitles =
    [
        "Elevated 5xx on checkout",
        "Latency spike after deploy",
        "Payment provider timeouts",
        "Queue backlog growing",
        "Disk full on primary",
        "Certificate expired",
        "Search results empty for some users",
        "Login failures in one region",
        "Duplicate emails sent",
        "Connection pool exhausted",
        "Stale prices shown",
        "Background jobs stuck",
    ];

    private static readonly string[] Reporters =
    [
        "Ana",
        "Ben",
        "Chen",
        "Dara",
        "Eli",
        "Fatima",
        "Goran",
        "Hana",
        "QA nightly suite",
        "Contract tests",
    ];

    public IReadOnlyList<Team> Generate(DateTime nowUtc)
    {
        var start = nowUtc.AddDays(-365);
        return Plans.Select(plan => GenerateTeam(plan, start, nowUtc)).ToList();
    }

    private Team GenerateTeam(TeamPlan plan, DateTime startUtc, DateTime nowUtc)
    {
        var zone = TeamTime.Zone(plan.TimeZoneId);
        var team = new Team
        {
            Slug = plan.Slug,
            Name = plan.Name,
            TimeZoneId = plan.TimeZoneId,
            IsDemo = true,
            CreatedAt = startUtc,
        };

        foreach (var (slug, name) in plan.Services)
        {
            var service = new Service
            {
                Slug = slug,
                Name = name,
                Team = team,
            };
            team.Services.Add(service);
            var dev = NewEnvironment(service, "dev", 0, PromotionMode.Continuous, startUtc);
            var staging = NewEnvironment(service, "staging", 1, PromotionMode.Continuous, startUtc);
            var production = NewEnvironment(service, "production", 2, PromotionMode.Manual, startUtc);
            production.IsProduction = true;
            production.RequiredApprovals = 2;
            production.SoakMinutes = 30;
            GenerateHistory(service, dev, staging, production, zone, startUtc, nowUtc);
        }

        GenerateCatches(team, zone, startUtc, nowUtc);
        return team;
    }

    private static ServiceEnvironment NewEnvironment(
        Service service,
        string name,
        int order,
        PromotionMode mode,
        DateTime since
    )
    {
        var environment = new ServiceEnvironment
        {
            Name = name,
            Order = order,
            PromotionMode = mode,
            PromotionModeChangedAt = since,
            PromotionModeChangedBy = "demo data",
            Service = service,
        };
        service.Environments.Add(environment);
        return environment;
    }

    /// <summary>
    /// Per working day one to three versions go dev → staging; every one to four days the waiting ones go to
    /// production.
    /// </summary>
    private void GenerateHistory(
        Service service,
        ServiceEnvironment dev,
        ServiceEnvironment staging,
        ServiceEnvironment production,
        TimeZoneInfo zone,
        DateTime startUtc,
        DateTime nowUtc
    )
    {
        var minor = 0;
        var waiting = new List<(string Version, string Sha, DateTime CommitAt)>();
        Deployment? lastLiveProduction = null;
        var nextProductionDay = DateOnly.FromDateTime(startUtc).AddDays(2);

        for (var day = TeamTime.LocalDate(startUtc, zone); ; day = day.AddDays(1))
        {
            var dayStartUtc = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone);
            if (dayStartUtc >= nowUtc)
                break;
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                continue;

            for (var n = _random.Next(1, 4); n > 0; n--)
            {
                var version = $"1.{++minor}.0";
                var sha = Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64()));
                var commitAt = LocalTime(day, 9 + _random.Next(0, 7), _random.Next(60), zone);
                var devDone = AddDeployment(
                    service,
                    dev,
                    version,
                    sha,
                    commitAt,
                    commitAt.AddMinutes(8 + _random.Next(10)),
                    nowUtc,
                    _random.NextDouble() < 0.05 ? DeploymentOutcome.Failed : DeploymentOutcome.Succeeded,
                    DeploymentTrigger.Automatic
                );
                if (devDone is not { Outcome: DeploymentOutcome.Succeeded })
                    continue;

                var stagingDone = AddDeployment(
                    service,
                    staging,
                    version,
                    sha,
                    commitAt,
                    devDone.FinishedAt!.Value.AddMinutes(5 + _random.Next(40)),
                    nowUtc,
                    _random.NextDouble() < 0.03 ? DeploymentOutcome.Failed : DeploymentOutcome.Succeeded,
                    DeploymentTrigger.Automatic
                );
                if (stagingDone is { Outcome: DeploymentOutcome.Succeeded })
                    waiting.Add((version, sha, commitAt));
            }

            if (day < nextProductionDay || waiting.Count == 0)
                continue;
            nextProductionDay = day.AddDays(_random.Next(1, 5));

            // A manual promotion takes the newest version that passed staging; the others were on the shelf with it.
            var (promoted, promotedSha, promotedCommit) = waiting[^1];
            waiting.Clear();
            var outcome = _random.NextDouble() switch
            {
                < 0.03 => DeploymentOutcome.Failed,
                < 0.07 => DeploymentOutcome.RolledBack,
                _ => DeploymentOutcome.Succeeded,
            };
            var productionAt = LocalTime(day, 14 + _random.Next(0, 3), _random.Next(60), zone);
            var deployment = AddDeployment(
                service,
                production,
                promoted,
                promotedSha,
                promotedCommit,
                productionAt,
                nowUtc,
                outcome,
                DeploymentTrigger.Manual
            );
            if (deployment is null)
                break;

            if (outcome == DeploymentOutcome.RolledBack && lastLiveProduction is not null)
            {
                var rollbackStart = deployment.FinishedAt!.Value.AddMinutes(4 + _random.Next(25));
                var rollback = AddDeployment(
                    service,
                    production,
                    lastLiveProduction.Version,
                    lastLiveProduction.CommitSha!,
                    null,
                    rollbackStart,
                    nowUtc,
                    DeploymentOutcome.Succeeded,
                    DeploymentTrigger.Manual,
                    durationMinutes: 2 + _random.Next(6)
                );
                if (rollback is not null)
                {
                    rollback.Kind = DeploymentKind.Rollback;
                    rollback.RollsBackDeployment = deployment;
                    if (_random.NextDouble() < 0.6)
                        AddIncident(
                            service,
                            deployment.FinishedAt!.Value.AddMinutes(1),
                            deployment,
                            nowUtc,
                            severity: _random.Next(2, 4)
                        );
                }
            }
            else if (outcome == DeploymentOutcome.Succeeded)
            {
                lastLiveProduction = deployment;
                var incident =
                    _random.NextDouble() < 0.05
                        ? AddIncident(
                            service,
                            deployment.FinishedAt!.Value.AddMinutes(10 + _random.Next(120)),
                            deployment,
                            nowUtc
                        )
                        : null;
                // Most such failures are fixed forward: a hotfix that says which incident it fixes (DORA's rework).
                if (incident is not null && _random.NextDouble() < 0.7)
                {
                    var fixStart = Max(incident.ResolvedAt!.Value.AddMinutes(-12), incident.DetectedAt.AddMinutes(1));
                    var fix = AddDeployment(
                        service,
                        production,
                        deployment.Version + "-fix",
                        deployment.CommitSha!,
                        fixStart.AddMinutes(-20),
                        fixStart,
                        nowUtc,
                        DeploymentOutcome.Succeeded,
                        DeploymentTrigger.Manual,
                        durationMinutes: 4
                    );
                    if (fix is not null)
                        (fix.FixesIncident, lastLiveProduction) = (incident, fix);
                }
            }
        }

        // Failures that no deployment caused: providers, certificates, load.
        for (
            var at = startUtc.AddDays(_random.Next(10, 40));
            at < nowUtc.AddDays(-2);
            at = at.AddDays(_random.Next(20, 70))
        )
            AddIncident(service, at.AddMinutes(_random.Next(24 * 60)), null, nowUtc);
    }

    private Deployment? AddDeployment(
        Service service,
        ServiceEnvironment environment,
        string version,
        string sha,
        DateTime? commitAt,
        DateTime startedAt,
        DateTime nowUtc,
        DeploymentOutcome outcome,
        DeploymentTrigger trigger,
        int? durationMinutes = null
    )
    {
        var finishedAt = startedAt.AddMinutes(durationMinutes ?? 3 + _random.Next(12));
        if (finishedAt >= nowUtc)
            return null;
        var deployment = new Deployment
        {
            Service = service,
            Environment = environment,
            Version = version,
            CommitSha = sha,
            CommitAt = commitAt,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Outcome = outcome,
            Kind = DeploymentKind.Normal,
            Trigger = trigger,
            Source = "demo",
            // Reported by its pipeline a few seconds after it finished, as a live feed is.
            ReceivedAt = startedAt.AddSeconds(5),
            OutcomeReceivedAt = finishedAt.AddSeconds(5 + _random.Next(20)),
        };
        DemoDeployments.Add(deployment);
        return deployment;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private Incident? AddIncident(
        Service service,
        DateTime impactStart,
        Deployment? cause,
        DateTime nowUtc,
        int? severity = null
    )
    {
        // Recovery times from minutes to most of a day, most of them short: the shape real MTTR data has.
        var minutes = _random.NextDouble() switch
        {
            < 0.45 => 8 + _random.Next(30),
            < 0.80 => 40 + _random.Next(120),
            < 0.95 => 160 + _random.Next(300),
            _ => 480 + _random.Next(900),
        };
        var resolved = impactStart.AddMinutes(minutes);
        if (resolved >= nowUtc)
            return null;
        var incident = new Incident
        {
            Service = service,
            Severity = severity
                ?? _random.NextDouble() switch
                {
                    < 0.1 => 1,
                    < 0.4 => 2,
                    < 0.8 => 3,
                    _ => 4,
                },
            Title = IncidentTitles[_random.Next(IncidentTitles.Length)],
            ImpactStartedAt = impactStart,
            DetectedAt = impactStart.AddMinutes(1 + _random.Next(10)),
            ResolvedAt = resolved,
            CausingDeployment = cause,
            Source = "demo",
            ReceivedAt = impactStart.AddMinutes(2 + _random.Next(10)),
        };
        DemoIncidents.Add(incident);
        return incident;
    }

    /// <summary>Catches come in clusters and droughts: gaps from a few days to about two months.</summary>
    private void GenerateCatches(Team team, TimeZoneInfo zone, DateTime startUtc, DateTime nowUtc)
    {
        var at = startUtc.AddDays(_random.Next(3, 15));
        while (true)
        {
            var service = team.Services[_random.Next(team.Services.Count)];
            var environment = service.Environments[_random.NextDouble() < 0.8 ? 1 : 0];
            var local = TeamTime.Local(at, zone);
            var caughtAt = LocalTime(DateOnly.FromDateTime(local), 9 + _random.Next(9), _random.Next(60), zone);
            if (caughtAt >= nowUtc)
                break;
            DemoCatches.Add(
                new Catch
                {
                    Service = service,
                    Environment = environment,
                    Severity = _random.NextDouble() switch
                    {
                        < 0.15 => 1,
                        < 0.5 => 2,
                        < 0.85 => 3,
                        _ => 4,
                    },
                    Title = CatchTitles[_random.Next(CatchTitles.Length)],
                    Description = "Demo data: an invented defect, caught before it reached production.",
                    Version = $"1.{_random.Next(1, 400)}.0",
                    ReportedBy = Reporters[_random.Next(Reporters.Length)],
                    CaughtAt = caughtAt,
                    RecordedAt = caughtAt.AddMinutes(_random.Next(5, 90)),
                    Source = "demo",
                }
            );
            at = at.AddDays(_random.NextDouble() < 0.3 ? _random.Next(2, 8) : _random.Next(10, 60));
        }
    }

    private static DateTime LocalTime(DateOnly day, int hour, int minute, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        if (zone.IsInvalidTime(local))
            local = local.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    public List<Deployment> DemoDeployments { get; } = [];
    public List<Incident> DemoIncidents { get; } = [];
    public List<Catch> DemoCatches { get; } = [];
}
