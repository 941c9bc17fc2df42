using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Access;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>A service named by slug, as the caller may act for it.</summary>
public sealed record ResolvedService(int Id, int TeamId, string TeamSlug, string Slug);

/// <summary>
/// Finds the service an event names. Slugs are unique within a team; a key scoped to one team looks only there, so
/// the same slug in two teams is never ambiguous for it.
/// </summary>
public static class ServiceResolver
{
    public static async Task<(ResolvedService? Service, IngestOutcome<T>? Refusal)> ResolveAsync<T>(
        ReleaseBoardDbContext db, string slug, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var candidates = await db.Services.AsNoTracking().Where(s => s.Slug == slug)
            .Select(s => new ResolvedService(s.Id, s.TeamId, s.Team.Slug, s.Slug)).ToListAsync(cancellationToken);
        if (candidates.Count == 0) return (null, new IngestOutcome<T>.NotFound($"There is no service \"{slug}\"."));

        var allowed = candidates.Where(c => caller.MayActForTeam(c.TeamSlug)).ToList();
        return allowed.Count switch
        {
            0 => (null, new IngestOutcome<T>.Forbidden($"This key may not act for the team of service \"{slug}\".")),
            1 => (allowed[0], null),
            _ => (null, IngestOutcome<T>.Field("service", $"\"{slug}\" names a service in several teams ({string.Join(", ", allowed.Select(a => a.TeamSlug))}); use a key scoped to one team.")),
        };
    }
}
