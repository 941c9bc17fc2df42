using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Wall;

/// <summary>
/// Reads one team's wall. Each query is narrow (indexed columns, projections); only the calendar math runs in C#.
/// </summary>
public sealed class WallQuery(IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan ReliabilityWindow = TimeSpan.FromDays(90);
    public const int TrendWeeks = 12;

    // The wall's trend lines and shelf come from the same engine as the trends page, so both show the same figures.
    private readonly TrendEngine _trends = new(dbFactory, clock);
    private readonly DeploymentWindows _windows = new(dbFactory, clock);

    /// <summary>How long a read may serve other walls of the team that ask at the same change version.</summary>
    internal static readonly TimeSpan SharedFor = TimeSpan.FromSeconds(1);

    private sealed record SharedRead(long Version, DateTime StartedAtUtc, Task<WallSnapshot?> Read);

    // Exact keys: the store matches slugs exactly, so "Payments" (not found) must never answer for "payments".
    private readonly Dictionary<string, SharedRead> _shared = new(StringComparer.Ordinal);

    /// <summary>
    /// The team's wall as of change <paramref name="version"/> (the notifier's, read before asking): every wall of a
    /// team that a write wakes asks at once, and one read serves them all. A read that started at that version began
    /// after that change was committed, so it shows it; one finished more than a second after it began is not shared,
    /// as time moves the figures too.
    /// </summary>
    public Task<WallSnapshot?> LoadSharedAsync(string teamSlug, long version, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Task<WallSnapshot?> read;
        lock (_shared)
        {
            if (
                _shared.TryGetValue(teamSlug, out var current)
                && current.Version == version
                // A read still running began after that change: it serves however long it takes.
                && (!current.Read.IsCompleted || now - current.StartedAtUtc < SharedFor)
                && !current.Read.IsFaulted
                && !current.Read.IsCanceled
            )
                read = current.Read;
            else
            {
                // Not the caller's token: other walls wait on this read too.
                read = Task.Run(() => LoadAsync(teamSlug, CancellationToken.None), CancellationToken.None);
                if (_shared.Count >= 256)
                    foreach (var stale in _shared.Where(s => now - s.Value.StartedAtUtc >= SharedFor).ToList())
                        _shared.Remove(stale.Key);
                _shared[teamSlug] = new SharedRead(version, now, read);
            }
        }
        return read.WaitAsync(cancellationToken);
    }

    public async Task<WallSnapshot?> LoadAsync(string teamSlug, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Slug == teamSlug, cancellationToken);
        if (team is null)
            return null;

        var now = clock.GetUtcNow().UtcDateTime;
        var zone = TeamTime.Zone(team.TimeZoneId);
        var threshold = team.CountingSeverityThreshold;

        var countingCatches = db.Catches.Where(c => c.Service.TeamId == team.Id).ThatCount(threshold);
        var catchTimes = await countingCatches.Select(c => c.CaughtAt).ToListAsync(cancellationToken);

        DateTime? firstEvent =
            catchTimes.Count > 0 ? null : await FirstRecordedEventAsync(db, team.Id, cancellationToken);
        var streak = CatchStreakCalculator.Calculate(catchTimes, firstEvent, now, zone);

        var latestCatch = await countingCatches
            .OrderByDescending(c => c.CaughtAt)
            .Select(c => new LatestCatch(c.Title, c.Service.Name, c.Environment.Name, c.CaughtAt, c.Severity))
            .FirstOrDefaultAsync(cancellationToken);

        // Every open production incident shows, whatever its severity: a banner is about now, not about the metrics.
        var openIncidents = await db
            .Incidents.Where(i => i.Service.TeamId == team.Id && i.ResolvedAt == null)
            .OrderBy(i => i.Severity)
            .ThenBy(i => i.ImpactStartedAt)
            .Select(i => new OpenIncident(i.Title, i.Service.Name, i.Severity, i.ImpactStartedAt, i.Link))
            .ToListAsync(cancellationToken);

        var environments = await db
            .Environments.Where(e => e.Service.TeamId == team.Id)
            .OrderBy(e => e.Service.Name)
            .ThenBy(e => e.Order)
            .Select(e => new
            {
                e.Id,
                ServiceName = e.Service.Name,
                e.Name,
                e.IsProduction,
                e.PromotionMode,
            })
            .ToListAsync(cancellationToken);
        var windows = await _windows.StatesAsync(environments.Select(e => e.Id).ToList(), cancellationToken);
        var pipelines = environments
            .GroupBy(e => e.ServiceName)
            .Select(g => new ServicePipeline(
                g.Key,
                g.Select(e => new EnvironmentState(
                        e.Name,
                        e.IsProduction,
                        e.PromotionMode,
                        windows.GetValueOrDefault(e.Id)?.FrozenBy
                    ))
                    .ToList()
            ))
            .ToList();

        var scope = new TrendScope(team.Id, team.Slug, team.Name, null, null, zone);
        // The trend's last point is the 90-day figure as it stands now: the one the wall shows, read once.
        var trend = await _trends.RollingReliabilityAsync(scope, TrendWeeks, ReliabilityWindow, cancellationToken);
        var reliability = trend[^1];
        var shelf = await _trends.WaitingOnShelfAsync(scope, cancellationToken);

        return new WallSnapshot(
            team.Slug,
            team.Name,
            zone,
            team.IsDemo,
            streak,
            latestCatch,
            openIncidents,
            reliability,
            pipelines,
            now
        )
        {
            MtbfTrendHours = trend.Select(w => w.Mtbf?.TotalHours).ToList(),
            MttrTrendMinutes = trend.Select(w => w.MttrMean?.TotalMinutes).ToList(),
            Shelf = shelf,
            WindowsChangeAt = windows.Values.Select(w => w.Open ? w.ClosesAt : w.NextOpening).Min(),
        };
    }

    private static async Task<DateTime?> FirstRecordedEventAsync(
        ReleaseBoardDbContext db,
        int teamId,
        CancellationToken cancellationToken
    )
    {
        var deployment = await db
            .Deployments.Where(d => d.Service.TeamId == teamId)
            .MinAsync(d => (DateTime?)d.FinishedAt, cancellationToken);
        var incident = await db
            .Incidents.Where(i => i.Service.TeamId == teamId)
            .MinAsync(i => (DateTime?)i.ImpactStartedAt, cancellationToken);
        var caught = await db
            .Catches.Where(c => c.Service.TeamId == teamId)
            .MinAsync(c => (DateTime?)c.CaughtAt, cancellationToken);
        return new[] { deployment, incident, caught }.Where(d => d is not null).Min();
    }
}
