using Bunit;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Metrics;
using ReleaseBoard.Web.Features.Wall;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Features.Wall;

public class WallSignTests : BunitContext
{
    private static readonly DateTime Now = new(2026, 1, 20, 11, 41, 0, DateTimeKind.Utc);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static WallSnapshot Snapshot(
        int daysSince = 47,
        int record = 143,
        bool hasCatches = true,
        bool newRecord = false,
        IReadOnlyList<OpenIncident>? incidents = null,
        bool isDemo = false,
        ReliabilityFigures? reliability = null
    ) =>
        new(
            "payments",
            "Payments",
            Berlin,
            isDemo,
            new CatchStreak(daysSince, record, hasCatches, newRecord, DateOnly.FromDateTime(Now)),
            hasCatches
                ? new LatestCatch(
                    "Double charge on retry",
                    "payments-api",
                    "staging",
                    new DateTime(2025, 10, 11, 23, 30, 0, DateTimeKind.Utc),
                    2
                )
                : null,
            incidents ?? [],
            reliability
                ?? ReliabilityCalculator.Calculate(
                    [new(Now.AddDays(-3), Now.AddDays(-3).AddMinutes(38))],
                    Now.AddDays(-90),
                    Now,
                    Now
                ),
            [
                new ServicePipeline(
                    "payments-api",
                    [
                        new("dev", false, PromotionMode.Continuous),
                        new("staging", false, PromotionMode.Continuous),
                        new("production", true, PromotionMode.Paused),
                    ]
                ),
            ],
            Now
        );

    private IRenderedComponent<WallSign> RenderSign(WallSnapshot snapshot) =>
        Render<WallSign>(p => p.Add(s => s.Snapshot, snapshot).Add(s => s.NowUtc, Now));

    [Fact]
    public void Shows_the_number_with_its_words_and_the_record()
    {
        var sign = RenderSign(Snapshot());

        Assert.Equal("47", sign.Find("[data-testid=days-since]").TextContent);
        Assert.Contains(
            "days since we were really glad we didn't deploy live",
            sign.Find("[data-testid=caption]").TextContent
        );
        Assert.Equal("record 143 days", sign.Find("[data-testid=record]").TextContent.Trim());
        Assert.Equal("PAYMENTS", sign.Find("[data-testid=team-name]").TextContent.ToUpperInvariant());
    }

    [Fact]
    public void Draws_the_12_week_trend_lines_with_gaps_and_shows_the_shelf()
    {
        var snapshot = Snapshot() with
        {
            MtbfTrendHours = [100, 120, null, 90],
            MttrTrendMinutes = [30, 45, 60, 20],
            Shelf = new ReleaseBoard.Web.Features.Trends.ShelfNow(3, Now.AddHours(-26)),
        };

        var sign = RenderSign(snapshot);

        var mtbf = sign.Find("[data-testid=mtbf-trend]");
        Assert.Equal("100 120 - 90", mtbf.GetAttribute("data-points"));
        Assert.Single(mtbf.QuerySelectorAll("polyline")); // 100 → 120, then a gap
        Assert.Single(mtbf.QuerySelectorAll("circle")); // 90 alone after the gap
        Assert.Single(sign.Find("[data-testid=mttr-trend]").QuerySelectorAll("polyline"));
        Assert.Equal("3", sign.Find("[data-testid=shelf-versions]").TextContent);
        Assert.Contains("versions, oldest 26 h 0 min", sign.Find("[data-testid=shelf]").TextContent);
    }

    [Fact]
    public void An_empty_shelf_says_everything_is_live()
    {
        var sign = RenderSign(Snapshot());

        Assert.Equal("0", sign.Find("[data-testid=shelf-versions]").TextContent);
        Assert.Contains("all that passed is live", sign.Find("[data-testid=shelf]").TextContent);
        Assert.Empty(sign.Find("[data-testid=mtbf-trend]").QuerySelectorAll("polyline"));
    }

    [Fact]
    public void Says_day_not_days_for_one()
    {
        var sign = RenderSign(Snapshot(daysSince: 1, record: 1));

        Assert.StartsWith("day since", sign.Find("[data-testid=caption]").TextContent.Trim());
    }

    [Fact]
    public void Names_the_latest_catch_with_where_and_when_in_the_teams_time_zone()
    {
        var text = RenderSign(Snapshot()).Find("[data-testid=last-catch]").TextContent;

        // 23:30Z on 11 October is 01:30 on the 12th in Berlin.
        Assert.Contains("“Double charge on retry” · payments-api · staging · Oct 12", text);
    }

    [Fact]
    public void Says_so_when_no_catch_was_recorded_yet()
    {
        var text = RenderSign(Snapshot(hasCatches: false)).Find("[data-testid=last-catch]").TextContent;

        Assert.Contains("no catches recorded yet", text);
    }

    [Fact]
    public void An_open_production_failure_turns_the_top_row_into_a_banner_with_its_age()
    {
        var incident = new OpenIncident("Elevated 5xx on /query", "search-api", 2, Now.AddMinutes(-47), null);

        var sign = RenderSign(Snapshot(incidents: [incident]));

        var banner = sign.Find("[data-testid=incident-banner]");
        Assert.Contains("search-api · Sev 2", banner.TextContent);
        Assert.Equal("“Elevated 5xx on /query”", banner.QuerySelector(".wall-banner__title")!.TextContent);
        Assert.Contains("for 47 min", banner.TextContent);
        Assert.Equal("record 143 days", banner.QuerySelector("[data-testid=record]")!.TextContent.Trim());
        Assert.Empty(sign.FindAll("[data-testid=team-name]"));
    }

    [Fact]
    public void Without_an_open_failure_there_is_no_banner()
    {
        Assert.Empty(RenderSign(Snapshot()).FindAll("[data-testid=incident-banner]"));
    }

    [Fact]
    public void The_day_the_record_is_beaten_the_sign_celebrates_and_says_which_record_fell()
    {
        var streak = new CatchStreak(150, 150, true, true, DateOnly.FromDateTime(Now)) { PreviousRecordDays = 149 };
        var sign = RenderSign(Snapshot() with { Streak = streak });

        Assert.Contains("wall--celebrating", sign.Find("[data-testid=wall]").ClassList);
        Assert.Equal(
            "New record: the longest run without a near miss, past 149 days",
            Normalized(sign.Find("[data-testid=celebration]").TextContent)
        );
        Assert.Empty(sign.FindAll("[data-testid=new-record]"));
    }

    [Fact]
    public void The_day_after_the_run_is_a_record_without_the_celebration()
    {
        var streak = new CatchStreak(151, 151, true, true, DateOnly.FromDateTime(Now)) { PreviousRecordDays = 149 };
        var sign = RenderSign(Snapshot() with { Streak = streak });

        Assert.DoesNotContain("wall--celebrating", sign.Find("[data-testid=wall]").ClassList);
        Assert.Empty(sign.FindAll("[data-testid=celebration]"));
        Assert.Equal("Record run", sign.Find("[data-testid=new-record]").TextContent);
        Assert.Contains("wall--new-record", sign.Find("[data-testid=wall]").ClassList);
    }

    [Fact]
    public void The_light_theme_is_a_class_on_the_sign_and_dark_is_the_default()
    {
        Assert.DoesNotContain("wall--light", RenderSign(Snapshot()).Find("[data-testid=wall]").ClassList);
        var light = Render<WallSign>(p =>
            p.Add(s => s.Snapshot, Snapshot()).Add(s => s.NowUtc, Now).Add(s => s.Theme, WallTheme.Light)
        );
        Assert.Contains("wall--light", light.Find("[data-testid=wall]").ClassList);
    }

    private static string Normalized(string text) =>
        string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Shows_MTBF_and_MTTR_with_the_counts_behind_them()
    {
        var sign = RenderSign(Snapshot());

        Assert.Contains("1 failure", sign.Find("[data-testid=mtbf]").TextContent);
        Assert.Contains("38 min", sign.Find("[data-testid=mttr]").TextContent);
        Assert.Contains("1 resolved", sign.Find("[data-testid=mttr]").TextContent);
    }

    [Fact]
    public void No_failures_in_the_window_reads_no_failures_not_a_number()
    {
        var sign = RenderSign(Snapshot(reliability: ReliabilityCalculator.Calculate([], Now.AddDays(-90), Now, Now)));

        Assert.Contains("no failures", sign.Find("[data-testid=mtbf]").TextContent);
        Assert.Contains("no failures", sign.Find("[data-testid=mttr]").TextContent);
    }

    [Fact]
    public void With_every_failure_still_open_MTTR_says_none_resolved_and_counts_the_open_one()
    {
        var figures = ReliabilityCalculator.Calculate([new(Now.AddHours(-2), null)], Now.AddDays(-90), Now, Now);

        var mttr = RenderSign(Snapshot(reliability: figures)).Find("[data-testid=mttr]").TextContent;

        Assert.Contains("none resolved", mttr);
        Assert.Contains("1 open", mttr);
    }

    [Fact]
    public void The_definition_is_one_click_away_and_is_the_one_computed()
    {
        var sign = RenderSign(Snapshot());
        Assert.Empty(sign.FindAll("[data-testid=definition]"));

        sign.Find("[data-testid=mtbf] button").Click();

        Assert.Contains(MetricDefinitions.Mtbf.Text, sign.Find("[data-testid=definition]").TextContent);
        sign.Find("[data-testid=definition]").Click();
        Assert.Empty(sign.FindAll("[data-testid=definition]"));
    }

    [Fact]
    public void Shows_each_environments_promotion_state()
    {
        var text = RenderSign(Snapshot()).Find("[data-testid=pipelines]").TextContent;

        Assert.Contains("payments-api", text);
        Assert.Contains("Continuous", text);
        Assert.Contains("PAUSED", text);
    }

    [Fact]
    public void Demo_data_is_labelled_and_real_data_is_not()
    {
        Assert.Equal("DEMO DATA", RenderSign(Snapshot(isDemo: true)).Find("[data-testid=demo-badge]").TextContent);
        Assert.Empty(RenderSign(Snapshot(isDemo: false)).FindAll("[data-testid=demo-badge]"));
    }

    [Fact]
    public void The_clock_and_last_update_are_in_the_teams_time_zone()
    {
        var sign = RenderSign(Snapshot());

        Assert.Equal("12:41", sign.Find("[data-testid=clock]").TextContent);
        Assert.Equal("updated 12:41:00", sign.Find("[data-testid=updated]").TextContent);
    }

    [Fact]
    public void A_frozen_environment_reads_frozen_with_the_reason_on_hover()
    {
        var snapshot = Snapshot() with
        {
            Pipelines =
            [
                new ServicePipeline(
                    "payments-api",
                    [
                        new("staging", false, PromotionMode.Continuous),
                        new("production", true, PromotionMode.Continuous, "frozen (everyone): year-end close"),
                    ]
                ),
            ],
        };

        var sign = RenderSign(snapshot);

        var frozen = sign.Find("[data-testid=frozen]");
        Assert.Equal("FROZEN", frozen.TextContent.Trim());
        Assert.Equal("frozen (everyone): year-end close", frozen.ParentElement!.GetAttribute("title"));
        Assert.Single(sign.FindAll("[data-testid=frozen]"));
    }
}
