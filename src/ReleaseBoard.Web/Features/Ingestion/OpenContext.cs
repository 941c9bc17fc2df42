using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Ingestion;

public static class OpenContext
{
    /// <summary>
    /// A context with its connection already open, so an event's few lookups and its write share one connection.
    /// </summary>
    public static async Task<ReleaseBoardDbContext> CreateOpenContextAsync(
        this IDbContextFactory<ReleaseBoardDbContext> dbFactory,
        CancellationToken cancellationToken
    )
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        return db;
    }
}
