using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ReleaseBoard.Data.SqlServer;

/// <summary>
/// Lets `dotnet ef migrations add` build the SQL Server model without a server: nothing connects at design time.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ReleaseBoardDbContext>
{
    public ReleaseBoardDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ReleaseBoardDbContext>();
        options.UseReleaseBoardDatabase(
            DatabaseProvider.SqlServer,
            "Server=design-time;Database=ReleaseBoard;Integrated Security=false"
        );
        return new ReleaseBoardDbContext(options.Options);
    }
}
