using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Promotion;

namespace ReleaseBoard.Tests.Features.Promotion;

public class MaturityTests
{
    private static PipelineEnvironment Stage(
        string name,
        PromotionMode mode,
        bool production = false,
        Readiness? readiness = null
    ) => new(1, name, production, mode, DateTime.UtcNow, null, null, Guid.Empty, 1, 0, null) { Readiness = readiness };

    private static readonly Readiness Failing = new([
        new("mttr", "MTTR, 90 days", "98 min", "≤ 60 min", false),
        new("no-open-failure", "No open failure", "none open", "none", true),
    ]);

    [Fact]
    public void Builds_deployed_by_hand_stay_on_the_first_step_and_say_how_many_were_automatic()
    {
        var step = Maturity.Assess(
            [Stage("staging", PromotionMode.Manual), Stage("production", PromotionMode.Manual, true)],
            (Automatic: 3, All: 10)
        );

        Assert.Equal(0, step.Level);
        Assert.Equal(["3 of 10 deployments to pre-production in 30 days were automatic (4 in 5 needed)"], step.Missing);
    }

    [Fact]
    public void Automatic_builds_with_a_manual_pre_production_stage_name_what_is_not_continuous()
    {
        var step = Maturity.Assess(
            [
                Stage("dev", PromotionMode.Continuous),
                Stage("staging", PromotionMode.Manual),
                Stage("production", PromotionMode.Manual, true),
            ],
            (8, 10)
        );

        Assert.Equal(1, step.Level);
        Assert.Equal(["staging is Manual"], step.Missing);
    }

    [Fact]
    public void Pre_production_continuous_lists_the_failing_evidence_for_production()
    {
        var step = Maturity.Assess(
            [Stage("staging", PromotionMode.Continuous), Stage("production", PromotionMode.Manual, true, Failing)],
            (10, 10)
        );

        Assert.Equal(2, step.Level);
        Assert.Equal("Production promotes continuously", step.Next);
        Assert.Equal(["MTTR, 90 days: 98 min (needs ≤ 60 min)"], step.Missing);
    }

    [Fact]
    public void Production_continuous_is_the_last_step_and_a_pause_is_said()
    {
        var step = Maturity.Assess(
            [Stage("staging", PromotionMode.Continuous), Stage("production", PromotionMode.Paused, true)],
            (10, 10)
        );

        Assert.Equal(3, step.Level);
        Assert.Null(step.Next);
        Assert.Equal(["production is paused"], step.Missing);
    }
}
