using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ReleaseBoard.Data;

/// <summary>
/// Every timestamp is stored in UTC. Neither SQLite nor SQL Server's datetime2 keep DateTime.Kind, so values
/// read back are marked UTC here; a local time handed in is a bug, and is converted rather than stored shifted.
/// </summary>
internal sealed class UtcDateTimeConverter()
    : ValueConverter<DateTime, DateTime>(
        value =>
            value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
        stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc)
    );
