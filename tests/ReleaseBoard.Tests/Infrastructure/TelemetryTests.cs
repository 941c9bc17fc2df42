using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Infrastructure;

/// <summary>
/// Our own metrics count what was committed, whoever wrote it; OTLP export is set up only when configured.
/// </summary>
public class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_stored_and_promotion_transitions_are_counted_once_committed()
    {
        await using var app = new ReleaseBoardAppFactory();
        var (productionId, key) = await app.AddTeamWithKeyAsync("metered", PromotionMode.Continuous);
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var events = new MetricCollector<long>(
            meters,
            ReleaseBoardMetrics.MeterName,
            "releaseboard.events.stored"
        );
        using var transitions = new MetricCollector<long>(
            meters,
            ReleaseBoardMetrics.MeterName,
            "releaseboard.promotion.transitions"
        );
        using var pipeline = app.CreateApiClient(key);
        var started = new
        {
            service = "metered",
            environment = "staging",
            version = "1.0.0",
            startedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            source = "ci",
            externalId = "run-1",
        };
        var finished = new
        {
            started.service,
            started.environment,
            started.version,
            started.startedAt,
            finishedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            outcome = "succeeded",
            started.source,
            started.externalId,
        };

        Assert.Equal(
            HttpStatusCode.Created,
            (await pipeline.PostAsJsonAsync("/api/v1/deployments", started, Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await pipeline.PostAsJsonAsync("/api/v1/deployments", finished, Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await pipeline.PostAsJsonAsync("/api/v1/deployments", new { service = "metered" }, Ct)).StatusCode
        );
        await using (
            var db = await app
                .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
                .CreateDbContextAsync(Ct)
        )
        {
            var stamp = (await db.Environments.SingleAsync(e => e.Id == productionId, Ct)).ConcurrencyStamp;
            var ops = AuditActor.User("ops@example.test", "ops@example.test");
            Assert.IsType<PromotionOutcome.Done>(
                await app
                    .Services.GetRequiredService<PromotionService>()
                    .PauseAsync(productionId, stamp, ops, "metered pause", Ct)
            );
        }

        var stored = events
            .GetMeasurementSnapshot()
            .Select(m => ((string)m.Tags["kind"]!, (string)m.Tags["outcome"]!, m.Value))
            .ToList();
        Assert.Equal([("deployment", "created", 1L), ("deployment", "updated", 1L)], stored);
        Assert.Equal(["promotion.paused"], transitions.GetMeasurementSnapshot().Select(m => (string)m.Tags["action"]!));
    }

    [Fact]
    public async Task Open_circuits_go_up_and_down_with_the_circuits()
    {
        await using var app = new ReleaseBoardAppFactory();
        using var open = new MetricCollector<long>(
            app.Services.GetRequiredService<IMeterFactory>(),
            ReleaseBoardMetrics.MeterName,
            "releaseboard.circuits.open"
        );
        var handler = new CircuitMetricsHandler(app.Services.GetRequiredService<ReleaseBoardMetrics>());

        await handler.OnCircuitOpenedAsync(null!, Ct);
        await handler.OnCircuitOpenedAsync(null!, Ct);
        await handler.OnCircuitClosedAsync(null!, Ct);

        Assert.Equal([1L, 1L, -1L], open.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task Otlp_export_is_set_up_only_with_an_endpoint_and_an_absent_collector_harms_nothing()
    {
        await using var plain = new ReleaseBoardAppFactory();
        await using var exporting = new ReleaseBoardAppFactory(
            settings: new Dictionary<string, string?>
            {
                [TelemetrySetup.OtlpEndpointSetting] = "http://127.0.0.1:9", // nothing listens there
            }
        );

        Assert.Null(plain.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.Null(plain.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.NotNull(exporting.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.NotNull(exporting.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.Equal(HttpStatusCode.OK, (await exporting.CreateClient().GetAsync("/readyz", Ct)).StatusCode);
    }
}
