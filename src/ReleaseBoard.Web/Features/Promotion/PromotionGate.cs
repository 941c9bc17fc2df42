using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// Why a pipeline may not promote automatically now. Codes are stable for scripts; messages are for people.
/// </summary>
public sealed record GateReason(string Code, string Message);

/// <summary>What a version's stay in the previous environment says, when the pipeline names a version.</summary>
/// <param name="PassedPreviousAt">The finish its report gives.</param>
/// <param name="SoakCountsFrom">
/// The later of that and when ReleaseBoard learned of it: a late report soaks from now.
/// </param>
public sealed record SoakStatus(
    string Version,
    string? PreviousEnvironment,
    DateTime? PassedPreviousAt,
    DateTime? SoakCountsFrom,
    DateTime? SoakEndsAt,
    int CatchesAgainst
);

public sealed record GateAnswer(
    PromotionMode State,
    bool MayAutoPromote,
    IReadOnlyList<GateReason> Reasons,
    DateTime Since,
    string? ChangedBy,
    int SoakMinutes,
    SoakStatus? Soak,
    WindowState Window
);

/// <summary>
/// May a pipeline promote on its own now (docs/promotion.md)? Pipelines poll it, so it reads a few indexed rows and
/// caches nothing: a pause must be seen at once (decision 0006).
/// </summary>
public sealed class PromotionGate(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    IOptionsMonitor<PromotionOptions> options,
    DeploymentWindows windows
)
{
    /// <param name="versionRequired">
    /// The caller can name the version but did not (Flagger's metadata.version): where the environment soaks what
    /// passed a stage before it, an unnamed version cannot be checked, so the gate holds rather than wave it through.
    /// </param>
    public async Task<GateAnswer> AskAsync(
        int serviceId,
        int environmentId,
        string? version,
        CancellationToken cancellationToken,
        bool versionRequired = false
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var pausingSeverity = options.CurrentValue.PausingSeverity;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var environment = await db
            .Environments.AsNoTracking()
            .Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.PromotionMode,
                e.PromotionModeChangedAt,
                e.PromotionModeChangedBy,
                e.SoakMinutes,
                e.Order,
            })
            .SingleAsync(cancellationToken);
        var reasons = new List<GateReason>();
        switch (environment.PromotionMode)
        {
            case PromotionMode.Manual:
                reasons.Add(new("manual", "The environment is promoted by hand (Manual)."));
                break;
            case PromotionMode.Paused:
                reasons.Add(
                    new(
                        "paused",
                        $"Continuous promotion is "
                            + $"paused{(environment.PromotionModeChangedBy is { } by ? $" by {by}" : "")}."
                    )
                );
                break;
        }

        var window = await windows.StateAsync(environmentId, cancellationToken);
        if (!window.Open)
            reasons.Add(new("window-closed", window.Closed()));

        var openFailures = await db
            .Incidents.AsNoTracking()
            .Where(i => i.ServiceId == serviceId && i.ResolvedAt == null && i.Severity <= pausingSeverity)
            .OrderBy(i => i.Severity)
            .ThenBy(i => i.ImpactStartedAt)
            .Select(i => new
            {
                i.Title,
                i.Severity,
                i.ImpactStartedAt,
            })
            .ToListAsync(cancellationToken);
        foreach (var failure in openFailures)
            reasons.Add(
                new(
                    "open-failure",
                    $"Incident open on the service since {failure.ImpactStartedAt:yyyy-MM-dd HH:mm} UTC: "
                        + $"\"{failure.Title}\" (severity {failure.Severity})."
                )
            );

        SoakStatus? soak = null;
        if (!string.IsNullOrWhiteSpace(version))
        {
            var previous = await db
                .Environments.AsNoTracking()
                .EnvironmentsBefore(serviceId, environment.Order)
                .Select(e => new { e.Id, e.Name })
                .FirstOrDefaultAsync(cancellationToken);
            SoakStart? passed = null;
            if (previous is not null)
            {
                passed = await db
                    .Deployments.AsNoTracking()
                    .Where(d =>
                        d.ServiceId == serviceId
                        && d.Version == version
                        && d.EnvironmentId == previous.Id
                        && d.Outcome == DeploymentOutcome.Succeeded
                        && d.Kind == DeploymentKind.Normal
                    )
                    .Select(SoakStart.Of)
                    .OrderBy(x => x.CountsFrom)
                    .FirstOrDefaultAsync(cancellationToken);
                if (passed is null)
                    reasons.Add(
                        new(
                            "not-in-previous-stage",
                            $"Version {version} has not been deployed successfully to {previous.Name}."
                        )
                    );
            }
            var soakEndsAt = passed?.CountsFrom.AddMinutes(environment.SoakMinutes);
            if (soakEndsAt > now)
                reasons.Add(
                    new(
                        "soaking",
                        $"Version {version} soaks in {previous!.Name} until {soakEndsAt:yyyy-MM-dd HH:mm} "
                            + $"UTC ({environment.SoakMinutes} min{(passed!.ReportedLate ? LateNote(passed) : "")})."
                    )
                );
            var catches = await db
                .Catches.AsNoTracking()
                .CountAsync(c => c.ServiceId == serviceId && c.Version == version, cancellationToken);
            if (catches > 0)
                reasons.Add(
                    new("caught", $"{catches} {(catches == 1 ? "catch names" : "catches name")} version {version}.")
                );
            soak = new SoakStatus(version, previous?.Name, passed?.Finished, passed?.CountsFrom, soakEndsAt, catches);
        }
        else if (
            versionRequired
            && environment.SoakMinutes > 0
            && await db.Environments.EnvironmentsBefore(serviceId, environment.Order).AnyAsync(cancellationToken)
        )
            reasons.Add(
                new(
                    "version-unknown",
                    $"The environment soaks each version for {environment.SoakMinutes} min: name the version so "
                        + "ReleaseBoard can check its soak and catches."
                )
            );

        return new GateAnswer(
            environment.PromotionMode,
            environment.PromotionMode == PromotionMode.Continuous && reasons.Count == 0,
            reasons,
            environment.PromotionModeChangedAt,
            environment.PromotionModeChangedBy,
            environment.SoakMinutes,
            soak,
            window
        );
    }

    private static string LateNote(SoakStart passed) =>
        $" from when ReleaseBoard learned of it, {passed.CountsFrom:yyyy-MM-dd HH:mm} UTC; "
        + $"its report says it finished at {passed.Finished:yyyy-MM-dd HH:mm} UTC";
}

/// <summary>
/// Where a soak starts: the later of the reported finish and when ReleaseBoard learned of it, so a late or
/// back-dated report never shortens it. The gate and the what-if count from here.
/// </summary>
public sealed record SoakStart
{
    public DateTime Finished { get; init; }
    public DateTime CountsFrom { get; init; }

    public static readonly System.Linq.Expressions.Expression<Func<Deployment, SoakStart>> Of = d => new SoakStart
    {
        Finished = d.FinishedAt!.Value,
        CountsFrom = d.OutcomeReceivedAt > d.FinishedAt!.Value ? d.OutcomeReceivedAt : d.FinishedAt!.Value,
    };

    /// <summary>Reported more than a minute after the fact (pipelines report within seconds).</summary>
    public bool ReportedLate => CountsFrom - Finished > TimeSpan.FromMinutes(1);
}
