using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Catches;

public class CatchRecorderTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));

    private static RecordCatchCommand Valid(TestTeam team) =>
        new(
            team.ServiceId,
            team.StagingId,
            Severity: 2,
            Title: "Double charge on retry",
            Description: "Found by the contract tests",
            Version: "1.42.0",
            ReportedBy: "Ana",
            CaughtAtUtc: Now.AddHours(-1)
        );

    [Fact]
    public async Task A_valid_catch_is_stored_with_an_audit_entry_and_announced_after_commit()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;

        var result = await new CatchRecorder(database, _clock).RecordAsync(
            Valid(team),
            AuditActor.User("ana@example.test", "ana@example.test"),
            TestContext.Current.CancellationToken
        );

        Assert.IsType<IngestOutcome<long>.Stored>(result);
        await using var db = database.CreateDbContext();
        var stored = await db.Catches.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("Double charge on retry", stored.Title);
        Assert.Equal(Now.AddHours(-1), stored.CaughtAt);
        Assert.Equal(Now, stored.RecordedAt);
        Assert.Equal("manual", stored.Source);
        var audit = await db.AuditEntries.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("catch.recorded", audit.Action);
        Assert.Equal($"catch/{stored.Id}", audit.Subject);
        Assert.Equal("ana@example.test", audit.Actor);
        Assert.Contains("reported by Ana", audit.After);
        Assert.Equal(team.TeamId, audit.TeamId);
        Assert.Equal(1, announcements);
    }

    public static TheoryData<string, Func<RecordCatchCommand, TestTeam, RecordCatchCommand>> InvalidCommands =>
        new()
        {
            { "title", (c, _) => c with { Title = "   " } },
            { "title", (c, _) => c with { Title = new string('x', 301) } },
            { "reportedBy", (c, _) => c with { ReportedBy = null } },
            { "severity", (c, _) => c with { Severity = 0 } },
            { "severity", (c, _) => c with { Severity = 5 } },
            { "description", (c, _) => c with { Description = new string('x', 4001) } },
            { "version", (c, _) => c with { Version = new string('1', 129) } },
            { "caughtAt", (c, _) => c with { CaughtAtUtc = Now.AddHours(2) } },
            { "caughtAt", (c, _) => c with { CaughtAtUtc = DateTime.SpecifyKind(Now, DateTimeKind.Local) } },
            { "caughtAt", (c, _) => c with { CaughtAtUtc = new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Utc) } },
            { "service", (c, _) => c with { ServiceId = 999 } },
            { "environment", (c, _) => c with { EnvironmentId = 999 } },
            { "environment", (c, t) => c with { EnvironmentId = t.ProductionId } },
        };

    [Theory]
    [MemberData(nameof(InvalidCommands))]
    public async Task Bad_input_gets_a_message_on_its_field_and_stores_nothing(
        string field,
        Func<RecordCatchCommand, TestTeam, RecordCatchCommand> spoil
    )
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var announcements = 0;
        database.Notifier.Changed += () => announcements++;

        var result = await new CatchRecorder(database, _clock).RecordAsync(
            spoil(Valid(team), team),
            AuditActor.AnonymousUser,
            TestContext.Current.CancellationToken
        );

        var errors = Assert.IsType<IngestOutcome<long>.Invalid>(result).Errors;
        Assert.NotEmpty(errors[field]);
        Assert.All(errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Catches.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.AuditEntries.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, announcements);
    }

    [Fact]
    public async Task An_environment_of_another_service_is_refused()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var payments = await database.AddTeamAsync("payments");
        var search = await database.AddTeamAsync("search");

        var result = await new CatchRecorder(database, _clock).RecordAsync(
            Valid(payments) with
            {
                EnvironmentId = search.StagingId,
            },
            AuditActor.AnonymousUser,
            TestContext.Current.CancellationToken
        );

        Assert.Contains(
            "another service",
            Assert.Single(Assert.IsType<IngestOutcome<long>.Invalid>(result).Errors["environment"])
        );
    }

    [Fact]
    public async Task A_catch_from_the_same_source_and_external_id_is_recorded_once()
    {
        await using var database = await SqliteTestDatabase.CreateAsync();
        var team = await database.AddTeamAsync();
        var recorder = new CatchRecorder(database, _clock);
        var command = Valid(team) with { Source = "jira", ExternalId = "REL-7" };

        Assert.IsType<IngestOutcome<long>.Stored>(
            await recorder.RecordAsync(command, AuditActor.AnonymousUser, TestContext.Current.CancellationToken)
        );
        var second = await recorder.RecordAsync(
            command,
            AuditActor.AnonymousUser,
            TestContext.Current.CancellationToken
        );

        Assert.Contains("externalId", Assert.IsType<IngestOutcome<long>.Invalid>(second).Errors.Keys);
    }

    [Fact]
    public void A_local_time_skipped_by_daylight_saving_is_refused_with_a_reason()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        Assert.False(
            ReleaseBoard.Web.Infrastructure.LocalTimeInput.TryParse("2026-03-29T02:30", berlin, out _, out var error)
        );
        Assert.Contains("does not exist", error);
        Assert.True(
            ReleaseBoard.Web.Infrastructure.LocalTimeInput.TryParse("2026-03-29T03:30", berlin, out var utc, out _)
        );
        Assert.Equal(new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc), utc);
        Assert.False(ReleaseBoard.Web.Infrastructure.LocalTimeInput.TryParse("yesterday", berlin, out _, out _));
    }

    [Fact]
    public void The_hour_that_happens_twice_when_clocks_go_back_is_read_as_its_first_occurrence()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        // 2026-10-25 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC: the earlier is never in the
        // future.
        Assert.True(
            ReleaseBoard.Web.Infrastructure.LocalTimeInput.TryParse("2026-10-25T02:30", berlin, out var utc, out _)
        );
        Assert.Equal(new DateTime(2026, 10, 25, 0, 30, 0, DateTimeKind.Utc), utc);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
    }
}
