using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record ApiKeySummary(
    int Id,
    string Name,
    string? TeamSlug,
    string KeyPrefix,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RevokedAt,
    DateTime? LastUsedAt
);

/// <summary>The key that authenticated a request, as the authentication handler needs it.</summary>
public sealed record AuthenticatedApiKey(int Id, string Name, string? TeamSlug);

/// <summary>
/// Creates, lists, revokes and checks API keys. The clear key exists only in the return value of
/// <see cref="CreateAsync"/>.
/// </summary>
public sealed class ApiKeyService
{
    private readonly IDbContextFactory<ReleaseBoardDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly IMemoryCache cache;
    private readonly AccessRevocation revocation;
    private long _generation;

    public ApiKeyService(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        TimeProvider clock,
        IMemoryCache cache,
        AccessRevocation revocation
    )
    {
        (this.dbFactory, this.clock, this.cache, this.revocation) = (dbFactory, clock, cache, revocation);
        // Any revocation, here or on another instance (seen by the change poller), forgets every remembered key.
        revocation.Revoked += () => Interlocked.Increment(ref _generation);
    }

    /// <summary>
    /// A pipeline sends many events a second; its key is looked up once per this interval, not per request. Revoking,
    /// on any instance or with the command line, forgets it everywhere within the change poller's interval.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    public const string KeyPrefix = "rbk_";

    /// <summary>
    /// Last-used times are written at most this often per key, so a busy pipeline does not write on every call.
    /// </summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <param name="teamSlug">The one team the key acts for.</param>
    /// <param name="allTeams">
    /// A key for every team instead: only when asked for in so many words (never because the team was left out),
    /// since such a key reads and writes every team's history.
    /// </param>
    public async Task<OperationResult<string>> CreateAsync(
        string? name,
        string? teamSlug,
        bool allTeams,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
            return OperationResult<string>.Fail("name", "Give the key a name of 1 to 100 characters.");
        if (allTeams && teamSlug is not null)
            return OperationResult<string>.Fail("team", "Choose one team or every team, not both.");
        if (!allTeams && string.IsNullOrWhiteSpace(teamSlug))
            return OperationResult<string>.Fail(
                "team",
                "Choose the team the key acts for. A key for every team is an explicit choice (--all-teams)."
            );

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        int? teamId = null;
        if (teamSlug is not null)
        {
            teamId = await db
                .Teams.Where(t => t.Slug == teamSlug.Trim())
                .Select(t => (int?)t.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (teamId is null)
                return OperationResult<string>.Fail("team", $"There is no team \"{teamSlug}\".");
        }
        if (await db.ApiKeys.AnyAsync(k => k.Name == name, cancellationToken))
            return OperationResult<string>.Fail("name", $"A key named \"{name}\" exists already.");

        var key = SecretToken.Create(KeyPrefix);
        var now = clock.GetUtcNow().UtcDateTime;
        var apiKey = new ApiKey
        {
            Name = name,
            TeamId = teamId,
            KeyHash = SecretToken.Hash(key),
            KeyPrefix = SecretToken.DisplayPrefix(key),
            CreatedAt = now,
            CreatedBy = actor.Name,
        };
        db.ApiKeys.Add(apiKey);
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "api-key.created",
                Subject = $"api-key/{name}",
                After = $"scope {teamSlug?.Trim() ?? "all teams"}, {apiKey.KeyPrefix}…",
                TeamId = teamId,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<string>.Ok(key);
    }

    public async Task<OperationResult<bool>> RevokeAsync(
        string? name,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Name == name, cancellationToken);
        if (key is null)
            return OperationResult<bool>.Fail("name", $"There is no key named \"{name}\".");
        if (key.RevokedAt is not null)
            return OperationResult<bool>.Fail("name", $"The key \"{name}\" is revoked already.");

        var now = clock.GetUtcNow().UtcDateTime;
        key.RevokedAt = now;
        await AccessRevocation.MarkAsync(db, now, cancellationToken);
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "api-key.revoked",
                Subject = $"api-key/{key.Name}",
                TeamId = key.TeamId,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        revocation.Announce();
        return OperationResult<bool>.Ok(true);
    }

    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .ApiKeys.AsNoTracking()
            .OrderBy(k => k.Name)
            .Select(k => new ApiKeySummary(
                k.Id,
                k.Name,
                k.Team == null ? null : k.Team.Slug,
                k.KeyPrefix,
                k.CreatedAt,
                k.CreatedBy,
                k.RevokedAt,
                k.LastUsedAt
            ))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The active key with this clear value, recording its use; null for an unknown or revoked key.</summary>
    public async Task<AuthenticatedApiKey?> AuthenticateAsync(
        string presentedKey,
        CancellationToken cancellationToken = default
    )
    {
        if (!presentedKey.StartsWith(KeyPrefix, StringComparison.Ordinal) || presentedKey.Length > 200)
            return null;
        var hash = SecretToken.Hash(presentedKey);
        // The generation is read once, before the store: a revocation during this read moves past it, so what is
        // remembered below is never found again.
        var cacheKey = CacheKey(hash);
        if (cache.TryGetValue(cacheKey, out AuthenticatedApiKey? known))
            return known;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db
            .ApiKeys.Include(k => k.Team)
            .SingleOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, cancellationToken);
        if (key is null)
            return null;

        var now = clock.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt >= LastUsedResolution)
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        var authenticated = new AuthenticatedApiKey(key.Id, key.Name, key.Team?.Slug);
        cache.Set(cacheKey, authenticated, CacheFor);
        return authenticated;
    }

    private string CacheKey(string hash) => $"api-key:{Interlocked.Read(ref _generation)}:{hash}";
}
