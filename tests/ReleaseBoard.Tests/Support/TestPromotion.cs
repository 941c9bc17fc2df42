using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Trends;

namespace ReleaseBoard.Tests.Support;

/// <summary>
/// The promotion state machine on a test store and clock, wired as the app wires it, with the default options.
/// </summary>
public static class TestPromotion
{
    public static ReadinessEvaluator Readiness(IDbContextFactory<ReleaseBoardDbContext> database, TimeProvider clock) =>
        new(database, clock, new TrendEngine(database, clock));

    public static PromotionService Service(
        IDbContextFactory<ReleaseBoardDbContext> database,
        TimeProvider clock,
        ReadinessEvaluator? readiness = null
    ) =>
        new(
            database,
            clock,
            new FixedOptionsMonitor<PromotionOptions>(new PromotionOptions()),
            new EvidenceSnapshot(readiness ?? Readiness(database, clock), new WhatIfReplay(database, clock))
        );
}
