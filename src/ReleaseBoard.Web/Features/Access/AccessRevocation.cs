using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// Revocation means now, on every instance: revoking bumps a stamp row in the same unit of work and raises
/// <see cref="Revoked"/> here; other instances raise it when their change poller sees the stamp move.
/// </summary>
public sealed class AccessRevocation(ILogger<AccessRevocation> logger) : IStoredChangeWatch
{
    private string? _seen;
    private bool _known,
        _changed;

    public const string StampName = "access-stamp";

    public event Action? Revoked;

    /// <summary>
    /// Bumps the stamp in <paramref name="db"/>'s unit of work; the caller saves, then calls <see cref="Announce"/>.
    /// </summary>
    public static async Task MarkAsync(ReleaseBoardDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var stamp = await db.SystemFlags.FindAsync([StampName], cancellationToken);
        if (stamp is null)
            db.SystemFlags.Add(stamp = new SystemFlag { Name = StampName, Value = "" });
        (stamp.Value, stamp.UpdatedAt) = (Guid.NewGuid().ToString("N"), now);
    }

    /// <summary>Marks and saves on a context of its own (for changes made through Identity's own store).</summary>
    public static async Task MarkNowAsync(
        IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        DateTime now,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await MarkAsync(db, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The stamp's value as stored (null before the first revocation).</summary>
    public static Task<string?> ReadStampAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken) =>
        db
            .SystemFlags.AsNoTracking()
            .Where(f => f.Name == StampName)
            .Select(f => f.Value)
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>The change poller's round: the stamp as stored now, compared with the one seen last.</summary>
    async Task IStoredChangeWatch.ReadAsync(ReleaseBoardDbContext db, CancellationToken cancellationToken)
    {
        var stamp = await ReadStampAsync(db, cancellationToken);
        _changed |= _known && stamp != _seen;
        (_seen, _known) = (stamp, true);
    }

    void IStoredChangeWatch.AnnounceIfChanged()
    {
        if (!_changed)
            return;
        _changed = false;
        Announce();
    }

    /// <summary>Tells this instance's caches and open pages that access changed.</summary>
    public void Announce()
    {
        foreach (var handler in Revoked?.GetInvocationList().Cast<Action>() ?? [])
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                // One broken subscriber (a disposed circuit) must not keep the others from hearing of it.
                logger.LogWarning(ex, "An access-revocation subscriber failed.");
            }
        }
    }
}
