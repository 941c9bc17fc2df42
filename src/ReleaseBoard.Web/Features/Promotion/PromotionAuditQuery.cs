using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Promotion;

public sealed record PromotionAuditFilter(string? Team, string? Action, string? Actor, DateOnly? From, DateOnly? To);

public sealed record PromotionAuditRow(
    DateTime At,
    string Team,
    string Service,
    string Environment,
    string Action,
    string Actor,
    string? Before,
    string? After,
    string? Reason,
    string? Evidence = null
);

/// <summary>
/// The promotion part of the append-only audit trail: every request, approval (and override), rejection, expiry, pause,
/// stop of the line and change of state, filtered, newest first, and as CSV.
/// </summary>
public sealed class PromotionAuditQuery(IDbContextFactory<ReleaseBoardDbContext> dbFactory)
{
    public const int Limit = 1000;

    public async Task<IReadOnlyList<PromotionAuditRow>> LoadAsync(
        PromotionAuditFilter filter,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environments = await db
            .Environments.AsNoTracking()
            .Where(e => filter.Team == null || e.Service.Team.Slug == filter.Team)
            .Select(e => new
            {
                e.Id,
                e.Name,
                Service = e.Service.Name,
                Team = e.Service.Team.Slug,
            })
            .ToListAsync(cancellationToken);
        var bySubject = environments.ToDictionary(e => $"environment/{e.Id}");
        var subjects = bySubject.Keys.ToList();

        var entries = db.AuditEntries.AsNoTracking().Where(a => a.Action.StartsWith("promotion."));
        if (filter.Team is not null)
            entries = entries.Where(a => subjects.Contains(a.Subject));
        if (!string.IsNullOrWhiteSpace(filter.Action))
            entries = entries.Where(a => a.Action == "promotion." + filter.Action.Trim());
        if (!string.IsNullOrWhiteSpace(filter.Actor))
            entries = entries.Where(a => a.Actor.Contains(filter.Actor.Trim()));
        if (filter.From is { } from)
        {
            var f = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            entries = entries.Where(a => a.At >= f);
        }
        if (filter.To is { } to)
        {
            var t = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            entries = entries.Where(a => a.At < t);
        }

        var rows = await entries
            .OrderByDescending(a => a.At)
            .ThenByDescending(a => a.Id)
            .Take(Limit)
            .Select(a => new
            {
                a.At,
                a.Subject,
                a.Action,
                a.Actor,
                a.Before,
                a.After,
                a.Reason,
                a.Evidence,
            })
            .ToListAsync(cancellationToken);
        return rows.Where(r => bySubject.ContainsKey(r.Subject))
            .Select(r =>
            {
                var where = bySubject[r.Subject];
                return new PromotionAuditRow(
                    r.At,
                    where.Team,
                    where.Service,
                    where.Name,
                    r.Action["promotion.".Length..],
                    r.Actor,
                    r.Before,
                    r.After,
                    r.Reason,
                    r.Evidence
                );
            })
            .ToList();
    }

    /// <summary>RFC 4180 CSV of exactly the rows given (what the page shows).</summary>
    public static string ToCsv(IEnumerable<PromotionAuditRow> rows)
    {
        var csv = new StringBuilder("At (UTC),Team,Service,Environment,Action,Actor,Before,After,Reason,Evidence\r\n");
        foreach (var r in rows)
            csv.Append(
                    string.Join(
                        ",",
                        new[]
                        {
                            r.At.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                            r.Team,
                            r.Service,
                            r.Environment,
                            r.Action,
                            r.Actor,
                            r.Before ?? "",
                            r.After ?? "",
                            r.Reason ?? "",
                            r.Evidence ?? "",
                        }.Select(Escape)
                    )
                )
                .Append("\r\n");
        return csv.ToString();
    }

    // Quote what needs it, and keep a spreadsheet from reading a typed reason as a formula (OWASP's list of leading
    // characters: = + - @, and tab and carriage return, which some spreadsheets skip before reading a formula).
    private static string Escape(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
