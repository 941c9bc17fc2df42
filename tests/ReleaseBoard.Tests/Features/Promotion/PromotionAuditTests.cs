using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Promotion;

/// <summary>The promotion audit trail: filtered by team, action, person and date, and exported as CSV.</summary>
public class PromotionAuditTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
    private SqliteTestDatabase _database = null!;
    private TestTeam _payments = null!,
        _search = null!;
    private PromotionAuditQuery _query = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _payments = await _database.AddTeamAsync("payments");
        _search = await _database.AddTeamAsync("search");
        var promotion = TestPromotion.Service(_database, _clock);
        await using (var db = _database.CreateDbContext())
            await db
                .Environments.Where(e => e.Id == _payments.ProductionId || e.Id == _search.ProductionId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.PromotionMode, PromotionMode.Continuous), Ct);
        async Task<Guid> Stamp(int id)
        {
            await using var db = _database.CreateDbContext();
            return (await db.Environments.SingleAsync(e => e.Id == id, Ct)).ConcurrencyStamp;
        }

        await promotion.PauseAsync(
            _payments.ProductionId,
            await Stamp(_payments.ProductionId),
            AuditActor.User("ada@example.test", "ada@example.test"),
            "=cmd|' /C calc'!A0, odd latency",
            Ct
        );
        _clock.Advance(TimeSpan.FromDays(2));
        await promotion.PauseAsync(
            _search.ProductionId,
            await Stamp(_search.ProductionId),
            AuditActor.User("ben@example.test", "ben@example.test"),
            "freeze",
            Ct
        );
        await promotion.RequestContinuousAsync(
            _payments.ProductionId,
            await Stamp(_payments.ProductionId),
            AuditActor.User("ben@example.test", "ben@example.test"),
            "latency is fine again",
            Ct
        );
        _query = new PromotionAuditQuery(_database);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Filters_narrow_by_team_action_person_and_date_newest_first()
    {
        var all = await _query.LoadAsync(new(null, null, null, null, null), Ct);
        Assert.Equal(["requested", "paused", "paused"], all.Select(r => r.Action));

        Assert.Equal(
            ["requested", "paused"],
            (await _query.LoadAsync(new("payments", null, null, null, null), Ct)).Select(r => r.Action)
        );
        Assert.Equal(
            ["search"],
            (await _query.LoadAsync(new(null, "paused", "ben", null, null), Ct)).Select(r => r.Team)
        );
        Assert.Equal(
            ["payments"],
            (await _query.LoadAsync(new(null, null, null, null, new DateOnly(2026, 11, 20)), Ct)).Select(r => r.Team)
        );
        Assert.Equal("production", all[0].Environment);
    }

    [Fact]
    public async Task The_CSV_holds_the_rows_shown_and_a_typed_reason_cannot_become_a_formula()
    {
        var rows = await _query.LoadAsync(new("payments", "paused", null, null, null), Ct);

        var lines = PromotionAuditQuery.ToCsv(rows).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("At (UTC),Team,Service,Environment,Action,Actor,Before,After,Reason,Evidence", lines[0]);
        Assert.Equal(
            "2026-11-20T09:00:00Z,payments,payments-api,production,paused,ada@example.test,Continuous,"
                + "Paused,\"'=cmd|' /C calc'!A0, odd latency\",",
            lines[1]
        );
        Assert.Equal(2, lines.Length);
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("plain", "plain")]
    public void Every_leading_character_a_spreadsheet_reads_as_a_formula_is_neutralised(string reason, string cell)
    {
        var row = new PromotionAuditRow(
            new DateTime(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc),
            "t",
            "s",
            "e",
            "paused",
            "ada",
            null,
            null,
            reason
        );

        var line = PromotionAuditQuery.ToCsv([row]).Split("\r\n")[1];

        Assert.Equal($"2026-11-20T09:00:00Z,t,s,e,paused,ada,,,{cell},", line);
    }
}
