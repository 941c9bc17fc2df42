using System.ComponentModel.DataAnnotations;

namespace ReleaseBoard.Data;

/// <summary>
/// Bound from the "Database" configuration section; the connection string comes from ConnectionStrings:ReleaseBoard.
/// </summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string ConnectionStringName = "ReleaseBoard";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Where the default SQLite file lives when no connection string is configured. Relative to the content root.
    /// </summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    /// <summary>
    /// Apply pending migrations at start-up (always on for SQLite by default; for SQL Server an operator may prefer the
    /// script).
    /// </summary>
    public bool MigrateOnStartup { get; set; } = true;
}

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}
