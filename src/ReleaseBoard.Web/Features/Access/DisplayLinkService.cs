using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record DisplayLinkSummary(
    int Id,
    string TokenPrefix,
    IReadOnlyList<string> TeamSlugs,
    int RotateEverySeconds,
    WallTheme Theme,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RevokedAt,
    DateTime? LastUsedAt
);

/// <summary>What a valid display link shows.</summary>
public sealed record ResolvedDisplayLink(
    int Id,
    IReadOnlyList<string> TeamSlugs,
    TimeSpan RotateEvery,
    WallTheme Theme = WallTheme.Dark
);

/// <summary>Display links for TVs: a secret address per link, shown once; only its hash is kept.</summary>
public sealed class DisplayLinkService(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    AccessRevocation revocation
)
{
    /// <summary>
    /// The token travels in the address's fragment ("/display#rbd_…"), which browsers never send to a server: it
    /// reaches the app only inside the live connection, so no request log, proxy log or referrer ever carries it.
    /// </summary>
    public const string PathPrefix = "/display#";
    private const string TokenPrefix = "rbd_";
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(5);

    /// <summary>Creates a link and returns its address ("/display#…"), the only time the token is visible.</summary>
    public async Task<OperationResult<string>> CreateAsync(
        IReadOnlyList<string> teamSlugs,
        TimeSpan rotateEvery,
        WallTheme theme,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        var slugs = teamSlugs
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (slugs.Count == 0)
            return OperationResult<string>.Fail("team", "Choose at least one team.");
        if (rotateEvery < TimeSpan.FromSeconds(5) || rotateEvery > TimeSpan.FromHours(1))
            return OperationResult<string>.Fail("every", "Rotate every 5 seconds to 1 hour.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = await db
            .Teams.Where(t => slugs.Contains(t.Slug))
            .Select(t => new { t.Id, t.Slug })
            .ToListAsync(cancellationToken);
        var missing = slugs
            .Where(s => teams.All(t => !string.Equals(t.Slug, s, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (missing.Count > 0)
            return OperationResult<string>.Fail(
                "team",
                $"There is no team {string.Join(", ", missing.Select(m => $"\"{m}\""))}."
            );

        var token = SecretToken.Create(TokenPrefix);
        var now = clock.GetUtcNow().UtcDateTime;
        var link = new DisplayLink
        {
            TokenHash = SecretToken.Hash(token),
            TokenPrefix = SecretToken.DisplayPrefix(token),
            RotateEverySeconds = (int)rotateEvery.TotalSeconds,
            Theme = theme.Name(),
            CreatedAt = now,
            CreatedBy = actor.Name,
            Teams = slugs
                .Select(
                    (slug, position) =>
                        new DisplayLinkTeam
                        {
                            TeamId = teams
                                .First(t => string.Equals(t.Slug, slug, StringComparison.OrdinalIgnoreCase))
                                .Id,
                            Position = position,
                        }
                )
                .ToList(),
        };
        db.DisplayLinks.Add(link);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "display-link.created",
                Subject = $"display-link/{link.Id}",
                After =
                    $"{string.Join(", ", slugs)} every {link.RotateEverySeconds} s, {link.Theme}, {link.TokenPrefix}…",
                TeamId = slugs.Count == 1 ? teams[0].Id : null,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<string>.Ok(PathPrefix + token);
    }

    public async Task<OperationResult<bool>> RevokeAsync(
        int id,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var link = await db.DisplayLinks.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (link is null)
            return OperationResult<bool>.Fail("id", $"There is no display link {id}.");
        if (link.RevokedAt is not null)
            return OperationResult<bool>.Fail("id", $"Display link {id} is revoked already.");

        var now = clock.GetUtcNow().UtcDateTime;
        link.RevokedAt = now;
        await AccessRevocation.MarkAsync(db, now, cancellationToken);
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "display-link.revoked",
                Subject = $"display-link/{id}",
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        revocation.Announce();
        return OperationResult<bool>.Ok(true);
    }

    public async Task<IReadOnlyList<DisplayLinkSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var links = await db
            .DisplayLinks.AsNoTracking()
            .Include(l => l.Teams)
                .ThenInclude(t => t.Team)
            .OrderByDescending(l => l.CreatedAt)
            .ToListAsync(cancellationToken);
        return links
            .Select(l => new DisplayLinkSummary(
                l.Id,
                l.TokenPrefix,
                l.Teams.OrderBy(t => t.Position).Select(t => t.Team.Slug).ToList(),
                l.RotateEverySeconds,
                WallThemes.Parse(l.Theme) ?? WallTheme.Dark,
                l.CreatedAt,
                l.CreatedBy,
                l.RevokedAt,
                l.LastUsedAt
            ))
            .ToList();
    }

    /// <summary>The teams a token shows, or null for an unknown or revoked token.</summary>
    public async Task<ResolvedDisplayLink?> ResolveAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (
            string.IsNullOrEmpty(token)
            || !token.StartsWith(TokenPrefix, StringComparison.Ordinal)
            || token.Length > 200
        )
            return null;
        var hash = SecretToken.Hash(token);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var link = await db
            .DisplayLinks.Include(l => l.Teams)
                .ThenInclude(t => t.Team)
            .SingleOrDefaultAsync(l => l.TokenHash == hash && l.RevokedAt == null, cancellationToken);
        if (link is null)
            return null;

        var now = clock.GetUtcNow().UtcDateTime;
        if (link.LastUsedAt is null || now - link.LastUsedAt >= LastUsedResolution)
        {
            link.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return new ResolvedDisplayLink(
            link.Id,
            link.Teams.OrderBy(t => t.Position).Select(t => t.Team.Slug).ToList(),
            TimeSpan.FromSeconds(link.RotateEverySeconds),
            WallThemes.Parse(link.Theme) ?? WallTheme.Dark
        );
    }
}
