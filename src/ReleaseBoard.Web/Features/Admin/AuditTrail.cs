using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Admin;

/// <summary>The whole audit trail, newest first, as Admin → Audit shows it.</summary>
public sealed class AuditTrail(IDbContextFactory<ReleaseBoardDbContext> dbFactory)
{
    public async Task<IReadOnlyList<AuditEntry>> NewestAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .AuditEntries.AsNoTracking()
            .OrderByDescending(a => a.At)
            .ThenByDescending(a => a.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
    }
}
