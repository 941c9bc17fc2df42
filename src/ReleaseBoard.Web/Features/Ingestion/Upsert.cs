using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// Sending an event again never makes a second record: found by (source, externalId) and updated; of two copies
/// inserting at once, the unique index lets one win and the other retries as an update.
/// </summary>
internal static class Upsert
{
    public static async Task<IngestOutcome<TItem>> RunAsync<TEntity, TItem>(
        ReleaseBoardDbContext db,
        DbSet<TEntity> set,
        int serviceId,
        string source,
        string? externalId,
        Func<TEntity, IngestOutcome<TItem>?> conflictWithStored,
        Func<TEntity> create,
        Action<TEntity> apply,
        Func<TEntity, bool, Task<TItem>> project,
        CancellationToken cancellationToken
    )
        where TEntity : class
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = externalId is null
                ? null
                : await set.SingleOrDefaultAsync(
                    e =>
                        EF.Property<int>(e, "ServiceId") == serviceId
                        && EF.Property<string>(e, "Source") == source
                        && EF.Property<string?>(e, "ExternalId") == externalId,
                    cancellationToken
                );
            if (existing is not null && conflictWithStored(existing) is { } conflict)
                return conflict;

            var entity = existing ?? create();
            apply(entity);
            if (existing is null)
                set.Add(entity);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new IngestOutcome<TItem>.Stored(
                    await project(entity, existing is null),
                    Created: existing is null
                );
            }
            catch (DbUpdateException) when (existing is null && externalId is not null && attempt == 0)
            {
                // Another copy of the same event was inserted meanwhile: forget ours and update that one.
                db.ChangeTracker.Clear();
            }
        }
    }
}
