namespace ReleaseBoard.Data.Entities;

/// <summary>
/// SQL Server's change sequence (docs/architecture.md): every write gives this one row a new value, so instances
/// learn of each other's writes by polling it. SQLite polls its own data_version instead (decision 0004).
/// </summary>
public class ChangeStamp
{
    public const int RowId = 1;

    public int Id { get; set; }
    public Guid Value { get; set; }
}
