using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;

namespace ReleaseBoard.Data;

/// <summary>
/// Durations computed in the database (one number a row, not two timestamps), translated per provider: SQLite by
/// Julian days, SQL Server by DATEDIFF_BIG in milliseconds; tested on both.
/// </summary>
public static class DurationFunctions
{
    /// <summary>
    /// Seconds from <paramref name="from"/> to <paramref name="to"/> (negative when to is earlier); null when either is
    /// null.
    /// </summary>
    public static double? SecondsBetween(DateTime? from, DateTime? to) =>
        throw new InvalidOperationException("SecondsBetween runs in the database, inside a LINQ query only.");

    internal static void Register(ModelBuilder modelBuilder, string? providerName)
    {
        var method = typeof(DurationFunctions).GetMethod(nameof(SecondsBetween))!;
        var isSqlServer = providerName == "Microsoft.EntityFrameworkCore.SqlServer";
        modelBuilder
            .HasDbFunction(method)
            .HasTranslation(arguments => isSqlServer ? SqlServer(arguments) : Sqlite(arguments));
    }

    // (julianday(to) - julianday(from)) * 86400.0
    private static SqlExpression Sqlite(IReadOnlyList<SqlExpression> arguments)
    {
        SqlExpression JulianDay(SqlExpression value) =>
            new SqlFunctionExpression(
                "julianday",
                [value],
                nullable: true,
                argumentsPropagateNullability: [true],
                typeof(double),
                null
            );
        var days = new SqlBinaryExpression(
            ExpressionType.Subtract,
            JulianDay(arguments[1]),
            JulianDay(arguments[0]),
            typeof(double),
            null
        );
        return new SqlBinaryExpression(
            ExpressionType.Multiply,
            days,
            new SqlConstantExpression(86400.0, typeof(double), null),
            typeof(double),
            null
        );
    }

    // DATEDIFF_BIG(millisecond, from, to) / 1000.0
    private static SqlExpression SqlServer(IReadOnlyList<SqlExpression> arguments)
    {
        var milliseconds = new SqlFunctionExpression(
            "DATEDIFF_BIG",
            [new SqlFragmentExpression("millisecond"), arguments[0], arguments[1]],
            nullable: true,
            argumentsPropagateNullability: [false, true, true],
            typeof(long),
            null
        );
        return new SqlBinaryExpression(
            ExpressionType.Divide,
            milliseconds,
            new SqlConstantExpression(1000.0, typeof(double), null),
            typeof(double),
            null
        );
    }
}
