using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data;

/// <summary>
/// "The stage before" an environment: the same service's environment with the highest order below it. A pipeline is
/// an ordered list of a service's environments; soak time, the gate, shelf time, the what-if and the maturity scale all
/// read from the stage before, so it is defined once, here, for queries and for lists already loaded.
/// </summary>
public static class PipelineOrder
{
    /// <summary>
    /// The stage before (environment <paramref name="order"/> of <paramref name="serviceId"/>) comes first; empty for a
    /// first stage.
    /// </summary>
    public static IQueryable<ServiceEnvironment> StagesBefore(
        this IQueryable<ServiceEnvironment> environments,
        int serviceId,
        int order
    ) => environments.Where(e => e.ServiceId == serviceId && e.Order < order).OrderByDescending(e => e.Order);

    /// <summary>The stage before, among one service's stages already loaded; null for a first stage.</summary>
    public static T? StageBefore<T>(IEnumerable<T> stagesOfService, int order, Func<T, int> orderOf)
        where T : class => stagesOfService.Where(s => orderOf(s) < order).MaxBy(orderOf);
}
