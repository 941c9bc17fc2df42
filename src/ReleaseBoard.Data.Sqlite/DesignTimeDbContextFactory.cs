using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ReleaseBoard.Data.Sqlite;

/// <summary>Lets `dotnet ef migrations add` build the SQLite model without starting the web host.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ReleaseBoardDbContext>
{
    public ReleaseBoardDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        options.UseReleaseBoardDatabase(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new ReleaseBoardDbContext(options.Options);
    }
}
