using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// ReleaseBoard's own metrics (meter "ReleaseBoard"), beside ASP.NET Core's and EF Core's: what operators ask of a
/// release-confidence board — is it being fed, is anyone watching, is promotion moving.
/// </summary>
public sealed class ReleaseBoardMetrics
{
    public const string MeterName = "ReleaseBoard";

    private readonly Counter<long> _eventsStored;
    private readonly UpDownCounter<long> _circuitsOpen;
    private readonly Counter<long> _promotionTransitions;

    public ReleaseBoardMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _eventsStored = meter.CreateCounter<long>(
            "releaseboard.events.stored",
            "{event}",
            "Deployments, incidents and catches committed, from any source; outcome created or updated (a retry or a "
                + "later fact)."
        );
        _circuitsOpen = meter.CreateUpDownCounter<long>(
            "releaseboard.circuits.open",
            "{circuit}",
            "Live pages (walls, displays, pipelines …) connected to this instance."
        );
        _promotionTransitions = meter.CreateCounter<long>(
            "releaseboard.promotion.transitions",
            "{transition}",
            "Promotion audit entries committed: requests, approvals, rejections, expiries, pauses, stops, changes of "
                + "state."
        );
    }

    public void EventStored(string kind, bool created) =>
        _eventsStored.Add(
            1,
            new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("outcome", created ? "created" : "updated")
        );

    public void PromotionTransition(string action) =>
        _promotionTransitions.Add(1, new KeyValuePair<string, object?>("action", action));

    public void CircuitOpened() => _circuitsOpen.Add(1);

    public void CircuitClosed() => _circuitsOpen.Add(-1);
}

/// <summary>Counts this instance's open circuits.</summary>
public sealed class CircuitMetricsHandler(ReleaseBoardMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
