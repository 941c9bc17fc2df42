namespace ReleaseBoard.Data.Entities;

/// <summary>
/// The change sequence of docs/architecture.md on SQL Server, as one row: every write through the store gives it a new
/// value in the same transaction, so several app instances on one database learn of each other's writes by polling a
/// single row. (SQLite keeps such a counter itself, data_version, which instances on SQLite poll instead; the row is
/// there unused.) A fresh value rather than a counter: EF Core writes it like any other column, and "different from
/// what I saw last" is all a poller needs to know.
/// </summary>
public class ChangeStamp
{
    public const int RowId = 1;

    public int Id { get; set; }
    public Guid Value { get; set; }
}
