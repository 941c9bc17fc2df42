using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Metrics;

/// <summary>
/// A failure or a catch counts in the figures when its severity is within its team's threshold (1 = worst; default
/// 1–3). Severity 4 is recorded and shown but counts nowhere. The one definition, for queries and for memory.
/// </summary>
public static class Severities
{
    /// <summary>Within the threshold of each row's own team.</summary>
    public static IQueryable<Incident> ThatCount(this IQueryable<Incident> incidents) =>
        incidents.Where(i => i.Severity <= i.Service.Team.CountingSeverityThreshold);

    /// <summary>Within the threshold of each row's own team.</summary>
    public static IQueryable<Catch> ThatCount(this IQueryable<Catch> catches) =>
        catches.Where(c => c.Severity <= c.Service.Team.CountingSeverityThreshold);

    /// <summary>Within a threshold already read (one team's).</summary>
    public static IQueryable<Incident> ThatCount(this IQueryable<Incident> incidents, int threshold) =>
        incidents.Where(i => i.Severity <= threshold);

    /// <summary>Within a threshold already read (one team's).</summary>
    public static IQueryable<Catch> ThatCount(this IQueryable<Catch> catches, int threshold) =>
        catches.Where(c => c.Severity <= threshold);
}
