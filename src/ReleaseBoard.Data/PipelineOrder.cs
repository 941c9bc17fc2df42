using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data;

/// <summary>
/// The environment before another: the same service's one with the highest order below it. Soak, gate, shelf time,
/// what-if and maturity all read it, so it is defined once, for queries and for loaded lists.
/// </summary>
public static class PipelineOrder
{
    /// <summary>
    /// The stage before (environment <paramref name="order"/> of <paramref name="serviceId"/>) comes first; empty for a
    /// first stage.
    /// </summary>
    public static IQueryable<ServiceEnvironment> EnvironmentsBefore(
        this IQueryable<ServiceEnvironment> environments,
        int serviceId,
        int order
    ) => environments.Where(e => e.ServiceId == serviceId && e.Order < order).OrderByDescending(e => e.Order);

    /// <summary>The stage before, among one service's stages already loaded; null for a first stage.</summary>
    public static T? EnvironmentBefore<T>(IEnumerable<T> environmentsOfService, int order, Func<T, int> orderOf)
        where T : class => environmentsOfService.Where(s => orderOf(s) < order).MaxBy(orderOf);
}
