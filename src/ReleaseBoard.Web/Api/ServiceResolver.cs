using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Api;

/// <summary>A service named by slug, as the caller may act for it.</summary>
public sealed record ResolvedService(int Id, int TeamId, string TeamSlug, string Slug);

/// <summary>
/// Finds the service and environment an event names, within the teams the caller may act for. Remembered briefly
/// (pipelines post many events); a catalog change anywhere forgets it (<see cref="AccessRevocation"/>).
/// </summary>
public sealed class ServiceResolver
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly IMemoryCache cache;
    private long _generation;

    /// <param name="revocation">
    /// A catalog change on another instance or the command line forgets everything too.
    /// </param>
    public ServiceResolver(IMemoryCache cache, AccessRevocation? revocation = null)
    {
        this.cache = cache;
        if (revocation is not null)
            revocation.Revoked += Invalidate;
    }

    /// <summary>Forget everything remembered: the catalog changed.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <param name="teamSlug">
    /// Narrows a slug that several teams use (people act for every team; a key is scoped already).
    /// </param>
    public async Task<(ResolvedService? Service, IngestOutcome<T>? Refusal)> ResolveAsync<T>(
        ReleaseBoardDbContext db,
        string slug,
        ClaimsPrincipal caller,
        CancellationToken cancellationToken,
        string? teamSlug = null
    )
    {
        var candidates = await cache.GetOrCreateAsync(Key("service", slug), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await db
                .Services.AsNoTracking()
                .Where(s => s.Slug == slug)
                .Select(s => new ResolvedService(s.Id, s.TeamId, s.Team.Slug, s.Slug))
                .ToListAsync(cancellationToken);
        }) ?? [];
        // One answer for every miss (unknown, another team's, not in the team named): a key learns nothing of what
        // other teams have.
        var unknown = new IngestOutcome<T>.NotFound(
            string.IsNullOrWhiteSpace(teamSlug)
                ? $"There is no service \"{slug}\"."
                : $"There is no service \"{slug}\" in team \"{teamSlug.Trim()}\"."
        );
        if (candidates.Count == 0)
        {
            cache.Remove(Key("service", slug)); // an unknown slug may be created any moment: never remember a miss
            return (null, unknown);
        }

        if (!string.IsNullOrWhiteSpace(teamSlug))
            candidates = candidates
                .Where(c => string.Equals(c.TeamSlug, teamSlug.Trim(), StringComparison.OrdinalIgnoreCase))
                .ToList();
        var allowed = candidates.Where(c => caller.MayActForTeam(c.TeamSlug)).ToList();
        return allowed.Count switch
        {
            0 => (null, unknown),
            1 => (allowed[0], null),
            _ => (
                null,
                IngestOutcome<T>.Field(
                    "service",
                    $"\"{slug}\" names a service in several teams "
                        + $"({string.Join(", ", allowed.Select(a => a.TeamSlug))}); use a key scoped to one team."
                )
            ),
        };
    }

    /// <summary>The environment's id and production flag, or null when the service has no such environment.</summary>
    public async Task<(int Id, bool IsProduction)?> EnvironmentAsync(
        ReleaseBoardDbContext db,
        int serviceId,
        string name,
        CancellationToken cancellationToken
    )
    {
        var environments = await cache.GetOrCreateAsync(
            Key("environments", serviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = CacheFor;
                return await db
                    .Environments.AsNoTracking()
                    .Where(e => e.ServiceId == serviceId)
                    .ToDictionaryAsync(e => e.Name, e => (e.Id, e.IsProduction), cancellationToken);
            }
        ) ?? [];
        if (environments.TryGetValue(name, out var environment))
            return environment;
        cache.Remove(Key("environments", serviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return null;
    }

    private string Key(string kind, string value) => $"resolver:{Interlocked.Read(ref _generation)}:{kind}:{value}";
}
