using Microsoft.Data.Sqlite;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Operations.DataSafety;

/// <summary>
/// An online SQLite backup with SQLite's backup API while the app runs, written beside the target and renamed when
/// whole and integrity-checked, so a backup file is complete or absent.
/// </summary>
public sealed class SqliteBackup(DatabaseConnection connection)
{
    public async Task<OperationResult<long>> BackupAsync(string? to, CancellationToken cancellationToken = default)
    {
        if (connection.Provider != DatabaseProvider.Sqlite)
            return OperationResult<long>.Fail(
                "provider",
                "This database is SQL Server: back it up with SQL Server's own BACKUP DATABASE (see the README's "
                    + "operations section), or move its data with export."
            );
        if (string.IsNullOrWhiteSpace(to))
            return OperationResult<long>.Fail("to", "Say where the backup goes: --to FILE.");
        var target = Path.GetFullPath(to);
        if (File.Exists(target))
            return OperationResult<long>.Fail("to", $"{target} exists already; a backup never overwrites a file.");
        if (Path.GetDirectoryName(target) is { } folder && !Directory.Exists(folder))
            return OperationResult<long>.Fail("to", $"There is no folder {folder}.");

        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            // Created empty and owner-only first: SQLite then writes into it and keeps its mode.
            await OwnerOnlyFile.Create(partial).DisposeAsync();
            await using (var source = new SqliteConnection(connection.ConnectionString))
            await using (
                var copy = new SqliteConnection(
                    new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()
                )
            )
            {
                await source.OpenAsync(cancellationToken);
                await copy.OpenAsync(cancellationToken);
                // One step: the copy is what was committed when it began, whatever is written meanwhile.
                source.BackupDatabase(copy);
                await using var check = copy.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                if (await check.ExecuteScalarAsync(cancellationToken) is not "ok")
                    return OperationResult<long>.Fail(
                        "to",
                        "The copy failed SQLite's integrity check; nothing was kept."
                    );
                // A backup is one self-contained file: fold its write-ahead log into it.
                check.CommandText = "PRAGMA journal_mode=DELETE";
                await check.ExecuteScalarAsync(cancellationToken);
            }
            File.Move(partial, target);
            return OperationResult<long>.Ok(new FileInfo(target).Length);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (File.Exists(partial))
                File.Delete(partial);
        }
    }
}
