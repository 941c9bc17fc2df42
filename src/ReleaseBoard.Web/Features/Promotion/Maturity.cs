using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// Where a service stands on the continuous-delivery scale, and what evidence the next step still lacks.
/// </summary>
/// <param name="Level">0 = builds reach pre-production by hand; 1 = automatically; 2 =
/// pre-production continuous; 3 = production continuous.</param>
public sealed record MaturityStep(int Level, string Name, string? Next, IReadOnlyList<string> Missing);

/// <summary>
/// The continuous-delivery scale from a service's data and states only; pure, so it is tested without a database.
/// </summary>
public static class Maturity
{
    public static readonly string[] Names =
    [
        "Builds reach pre-production by hand",
        "Builds reach pre-production automatically",
        "Pre-production promotes continuously",
        "Production promotes continuously",
    ];

    /// <param name="automaticShare">Of the deployments to the stage before production in the last 30 days: automatic
    /// ones, and all.</param>
    public static MaturityStep Assess(
        IReadOnlyList<PipelineEnvironment> stages,
        (int Automatic, int All) automaticShare
    )
    {
        var preProduction = stages.Where(s => !s.IsProduction).ToList();
        var production = stages.Where(s => s.IsProduction).ToList();
        // four in five
        var automatic = automaticShare.All > 0 && automaticShare.Automatic * 5 >= automaticShare.All * 4;
        var preContinuous = preProduction.Count > 0 && preProduction.All(s => s.Mode == PromotionMode.Continuous);
        // Paused is continuous, held
        var prodContinuous = production.Count > 0 && production.All(s => s.Mode != PromotionMode.Manual);

        if (!automatic)
            return new(
                0,
                Names[0],
                Names[1],
                [
                    automaticShare.All == 0
                        ? "no deployment to pre-production in the last 30 days"
                        : $"{automaticShare.Automatic} of {automaticShare.All} deployments to pre-production in 30 "
                            + $"days were automatic (4 in 5 needed)",
                ]
            );
        if (!preContinuous)
            return new(
                1,
                Names[1],
                Names[2],
                preProduction
                    .Where(s => s.Mode != PromotionMode.Continuous)
                    .Select(s => $"{s.Name} is {s.Mode}")
                    .ToList()
            );
        if (!prodContinuous)
            return new(
                2,
                Names[2],
                Names[3],
                production
                    .SelectMany(s =>
                        s.Readiness?.Failing.Select(c => $"{c.Name}: {c.Measured} (needs {c.Threshold})") ?? []
                    )
                    .DefaultIfEmpty("the evidence holds: request Continuous for production")
                    .ToList()
            );
        return new(
            3,
            Names[3],
            null,
            production.Where(s => s.Mode == PromotionMode.Paused).Select(s => $"{s.Name} is paused").ToList()
        );
    }
}
