using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Operations.DataSafety;

/// <summary>What an export or import moved: rows per table.</summary>
public sealed record ExchangeSummary(IReadOnlyDictionary<string, int> Rows)
{
    public int Total => Rows.Values.Sum();
}

/// <summary>
/// All data as one JSON document, table by table from the EF Core model (a table added later is never left out);
/// provider-neutral, so it also moves SQLite to SQL Server. Import fills an empty database in one transaction.
/// </summary>
/// <remarks>SQL Server keeps ids with IDENTITY_INSERT: compiled, not run here (no server at hand).</remarks>
public sealed class DataExchange(IDbContextFactory<ReleaseBoardDbContext> dbFactory)
{
    public const string Format = "releaseboard-export";
    public const int FormatVersion = 1;
    private const int BatchSize = 2000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<ExchangeSummary> ExportAsync(
        Stream to,
        TimeProvider clock,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        // On SQLite, one read transaction is a snapshot (WAL): every table as of one moment, while the app writes on.
        // SQL Server has no snapshot without ALLOW_SNAPSHOT_ISOLATION: export a quiet installation, or use BACKUP.
        await using var snapshot = await BeginSnapshotAsync(db, cancellationToken);
        var rows = new Dictionary<string, int>();
        await using var writer = new Utf8JsonWriter(to);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteString("exportedAt", clock.GetUtcNow());
        writer.WriteString(
            "schema",
            SchemaName((await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault())
        );
        writer.WriteStartObject("tables");
        foreach (var table in Tables(db.Model))
        {
            writer.WriteStartArray(table.GetTableName()!);
            rows[table.GetTableName()!] = await (Task<int>)
                Generic(nameof(ExportTableAsync), table).Invoke(null, [db, table, writer, cancellationToken])!;
            writer.WriteEndArray();
            await writer.FlushAsync(cancellationToken);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        return new ExchangeSummary(rows);
    }

    public async Task<OperationResult<ExchangeSummary>> ImportAsync(
        Stream from,
        CancellationToken cancellationToken = default
    )
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(from, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return OperationResult<ExchangeSummary>.Fail("file", $"The file is not JSON: {ex.Message}");
        }
        using var _ = document;
        var root = document.RootElement;
        if (
            root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format)
            || format.GetString() != Format
            || !root.TryGetProperty("tables", out var tables)
            || tables.ValueKind != JsonValueKind.Object
        )
            return OperationResult<ExchangeSummary>.Fail(
                "file",
                "This is not a ReleaseBoard export (format \"releaseboard-export\")."
            );
        if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != FormatVersion)
            return OperationResult<ExchangeSummary>.Fail(
                "file",
                $"This export's format version is not {FormatVersion}."
            );

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schema = SchemaName((await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault());
        var exported = root.TryGetProperty("schema", out var s) ? s.GetString() : null;
        if (exported != schema)
            return OperationResult<ExchangeSummary>.Fail(
                "schema",
                $"The export is of schema \"{exported}\", this database is at \"{schema}\": bring both to the same "
                    + $"ReleaseBoard version first."
            );
        var steps = Steps(db.Model).ToList();
        var order = steps.Select(s => s.Table).ToList();
        var unknown = tables
            .EnumerateObject()
            .Select(t => t.Name)
            .Except(order.Select(t => t.GetTableName()!))
            .ToList();
        if (unknown.Count > 0)
            return OperationResult<ExchangeSummary>.Fail(
                "file",
                $"Unknown tables in the export: {string.Join(", ", unknown)}."
            );
        if (await NonEmptyAsync(db, order, cancellationToken) is { } occupied)
            return OperationResult<ExchangeSummary>.Fail(
                "database",
                $"The database is not empty ({occupied} has rows): import only into a freshly migrated database."
            );

        var rows = new Dictionary<string, int>();
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear(); // a retry starts from nothing
                rows.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // The roles every start creates are the only rows a fresh database has; the export brings its own.
                await db.Roles.ExecuteDeleteAsync(cancellationToken);
                var later = new List<LaterValue>();
                foreach (var (table, laterColumns) in steps)
                {
                    if (!tables.TryGetProperty(table.GetTableName()!, out var items))
                        continue;
                    rows[table.GetTableName()!] = await (Task<int>)
                        Generic(nameof(ImportTableAsync), table)
                            .Invoke(null, [db, table, items, laterColumns, later, cancellationToken])!;
                }
                await SetLaterValuesAsync(db, later, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch (Exception ex)
            when (ex is JsonException or FormatException or InvalidOperationException or DbUpdateException)
        {
            return OperationResult<ExchangeSummary>.Fail(
                "file",
                $"Nothing was imported: {ex.GetBaseException().Message}"
            );
        }
        return OperationResult<ExchangeSummary>.Ok(new ExchangeSummary(rows));
    }

    /// <summary>A table in import order, and the optional references it takes only once every table is in.</summary>
    internal sealed record TableStep(IEntityType Table, IReadOnlyList<IProperty> LaterColumns);

    /// <summary>A reference set after every table is in: the row's key, the column and its value.</summary>
    private sealed record LaterValue(Type Table, object?[] Key, string Column, object? Value);

    internal static IEnumerable<IEntityType> Tables(IModel model) => Steps(model).Select(s => s.Table);

    /// <summary>
    /// Every table of the model, parents before children; the change stamp is the receiving database's own. Where
    /// tables name each other (a deployment fixes an incident that names a deployment as its cause), the cycle is
    /// broken at an optional reference: that column is written once every table is in.
    /// </summary>
    internal static IEnumerable<TableStep> Steps(IModel model)
    {
        var types = model
            .GetEntityTypes()
            .Where(t => !t.IsOwned() && t.GetTableName() is not null && t.ClrType != typeof(ChangeStamp))
            .ToList();
        var placed = new HashSet<IEntityType>();
        while (placed.Count < types.Count)
        {
            var ready = types
                .Where(t =>
                    !placed.Contains(t)
                    && t.GetForeignKeys()
                        .All(fk =>
                            fk.PrincipalEntityType == t
                            || placed.Contains(fk.PrincipalEntityType)
                            || !types.Contains(fk.PrincipalEntityType)
                        )
                )
                .OrderBy(t => t.GetTableName(), StringComparer.Ordinal)
                .ToList();
            if (ready.Count > 0)
            {
                foreach (var type in ready)
                {
                    placed.Add(type);
                    yield return new TableStep(type, []);
                }
                continue;
            }
            var breaking = types
                .Where(t => !placed.Contains(t))
                .OrderBy(t => t.GetTableName(), StringComparer.Ordinal)
                .Select(t => (Table: t, Waiting: Waiting(t).ToList()))
                .FirstOrDefault(t => t.Waiting.All(fk => !fk.IsRequired));
            if (breaking.Table is null)
                throw new InvalidOperationException("The model's required foreign keys form a cycle between tables.");
            placed.Add(breaking.Table);
            yield return new TableStep(breaking.Table, breaking.Waiting.SelectMany(fk => fk.Properties).ToList());
        }

        IEnumerable<IForeignKey> Waiting(IEntityType t) =>
            t.GetForeignKeys()
                .Where(fk =>
                    fk.PrincipalEntityType != t
                    && !placed.Contains(fk.PrincipalEntityType)
                    && types.Contains(fk.PrincipalEntityType)
                );
    }

    private static async Task SetLaterValuesAsync(
        ReleaseBoardDbContext db,
        List<LaterValue> later,
        CancellationToken cancellationToken
    )
    {
        foreach (var batch in later.Chunk(BatchSize))
        {
            foreach (var value in batch)
            {
                var entity = await db.FindAsync(value.Table, value.Key, cancellationToken)
                    ?? throw new InvalidOperationException($"A row named by {value.Column} is missing.");
                db.Entry(entity).Property(value.Column).CurrentValue = value.Value;
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }

    private static async Task<IAsyncDisposable?> BeginSnapshotAsync(
        ReleaseBoardDbContext db,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.GetDbConnection() is not Microsoft.Data.Sqlite.SqliteConnection sqlite)
            return null;
        await db.Database.OpenConnectionAsync(cancellationToken);
        // Deferred: a reader's snapshot, taking no write lock, so pipelines keep writing while the export runs.
        var transaction = sqlite.BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }

    /// <summary>A migration's name without its timestamp: the same on both providers, whose ids differ.</summary>
    private static string? SchemaName(string? migrationId) =>
        migrationId is null ? null : migrationId[(migrationId.IndexOf('_') + 1)..];

    private static MethodInfo Generic(string name, IEntityType table) =>
        typeof(DataExchange)
            .GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(table.ClrType);

    private static IQueryable<T> InKeyOrder<T>(ReleaseBoardDbContext db, IEntityType table)
        where T : class
    {
        var keys = table.FindPrimaryKey()!.Properties;
        var query = db.Set<T>().OrderBy(e => EF.Property<object>(e, keys[0].Name));
        foreach (var key in keys.Skip(1))
            query = query.ThenBy(e => EF.Property<object>(e, key.Name));
        return query;
    }

    private static async Task<int> ExportTableAsync<T>(
        ReleaseBoardDbContext db,
        IEntityType table,
        Utf8JsonWriter writer,
        CancellationToken cancellationToken
    )
        where T : class
    {
        var properties = table.GetProperties().ToList();
        var keys = table.FindPrimaryKey()!.Properties;
        // Large tables have one numeric key: page by it (each page an index seek). The rest are small: page by offset.
        var numericKey =
            keys.Count == 1 && (keys[0].ClrType == typeof(long) || keys[0].ClrType == typeof(int)) ? keys[0] : null;
        long after = long.MinValue;
        var count = 0;
        for (var skip = 0; ; skip += BatchSize)
        {
            var page =
                numericKey is null ? InKeyOrder<T>(db, table).Skip(skip)
                : numericKey.ClrType == typeof(int)
                    ? InKeyOrder<T>(db, table)
                        .Where(e => EF.Property<int>(e, numericKey.Name) > (int)Math.Max(after, int.MinValue))
                : InKeyOrder<T>(db, table).Where(e => EF.Property<long>(e, numericKey.Name) > after);
            var batch = await page.Take(BatchSize).ToListAsync(cancellationToken);
            if (numericKey is not null && batch.Count > 0)
                after = Convert.ToInt64(
                    db.Entry(batch[^1]).Property(numericKey.Name).CurrentValue,
                    System.Globalization.CultureInfo.InvariantCulture
                );
            foreach (var entity in batch)
            {
                var entry = db.Entry(entity);
                writer.WriteStartObject();
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    JsonSerializer.Serialize(
                        writer,
                        entry.Property(property.Name).CurrentValue,
                        property.ClrType,
                        Json
                    );
                }
                writer.WriteEndObject();
            }
            count += batch.Count;
            db.ChangeTracker.Clear();
            await writer.FlushAsync(cancellationToken);
            if (batch.Count < BatchSize)
                return count;
        }
    }

    private static async Task<int> ImportTableAsync<T>(
        ReleaseBoardDbContext db,
        IEntityType table,
        JsonElement items,
        IReadOnlyList<IProperty> laterColumns,
        List<LaterValue> later,
        CancellationToken cancellationToken
    )
        where T : class
    {
        if (items.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{table.GetTableName()} is not a list of rows.");
        var properties = table.GetProperties().ToList();
        var identity = IdentityInsert(db, table);
        if (identity is not null)
            await SetIdentityInsertAsync(db, identity, on: true, cancellationToken);
        var count = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
                throw new FormatException($"A row of {table.GetTableName()} is not an object.");
            var entity = Activator.CreateInstance<T>();
            var shadow = new List<(string Name, object? Value)>();
            foreach (var property in properties)
            {
                if (!item.TryGetProperty(property.Name, out var value))
                    continue;
                var clrValue = value.Deserialize(property.ClrType, Json);
                if (laterColumns.Contains(property) && clrValue is not null)
                {
                    var key = table
                        .FindPrimaryKey()!
                        .Properties.Select(k =>
                            item.TryGetProperty(k.Name, out var part)
                                ? part.Deserialize(k.ClrType, Json)
                                : throw new FormatException($"A row of {table.GetTableName()} has no {k.Name}.")
                        )
                        .ToArray();
                    later.Add(new LaterValue(typeof(T), key, property.Name, clrValue));
                    continue; // the row it names may not be in yet
                }
                if (property.PropertyInfo is { } info)
                    info.SetValue(entity, clrValue);
                else
                    shadow.Add((property.Name, clrValue));
            }
            // Added with the keys it came with: the ids that other rows (and the audit trail) refer to.
            var entry = db.Add(entity);
            foreach (var (name, value) in shadow)
                entry.Property(name).CurrentValue = value;
            if (++count % BatchSize == 0)
            {
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (identity is not null)
            await SetIdentityInsertAsync(db, identity, on: false, cancellationToken);
        return count;
    }

#pragma warning disable EF1003 // the table name comes from our own EF model, never from the file being imported
    private static Task SetIdentityInsertAsync(
        ReleaseBoardDbContext db,
        string table,
        bool on,
        CancellationToken cancellationToken
    ) => db.Database.ExecuteSqlRawAsync("SET IDENTITY_INSERT " + table + (on ? " ON" : " OFF"), cancellationToken);
#pragma warning restore EF1003

    /// <summary>
    /// On SQL Server, a table whose key the database generates takes explicit ids only with IDENTITY_INSERT on.
    /// </summary>
    private static string? IdentityInsert(ReleaseBoardDbContext db, IEntityType table)
    {
        if (!db.Database.IsSqlServer())
            return null;
        var keys = table.FindPrimaryKey()!.Properties;
        if (
            keys.Count != 1
            || keys[0].ValueGenerated != ValueGenerated.OnAdd
            || keys[0].ClrType == typeof(string)
            || keys[0].ClrType == typeof(Guid)
        )
            return null;
        var schema = table.GetSchema();
        return schema is null ? $"[{table.GetTableName()}]" : $"[{schema}].[{table.GetTableName()}]";
    }

    private static async Task<string?> NonEmptyAsync(
        ReleaseBoardDbContext db,
        IEnumerable<IEntityType> tables,
        CancellationToken cancellationToken
    )
    {
        foreach (var table in tables.Where(t => t.ClrType != typeof(Microsoft.AspNetCore.Identity.IdentityRole)))
        {
            if (await (Task<bool>)Generic(nameof(AnyAsync), table).Invoke(null, [db, cancellationToken])!)
                return table.GetTableName();
        }
        return null;
    }

    private static Task<bool> AnyAsync<T>(ReleaseBoardDbContext db, CancellationToken cancellationToken)
        where T : class => db.Set<T>().AnyAsync(cancellationToken);
}
