namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>Configuration section "Promotion".</summary>
public sealed class PromotionOptions
{
    public const string SectionName = "Promotion";

    /// <summary>
    /// An open incident of this severity or worse (1 = worst) blocks continuous promotion of its service.
    /// </summary>
    public int PausingSeverity { get; set; } = 2;
}
