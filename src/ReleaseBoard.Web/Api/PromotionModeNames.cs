using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Api;

/// <summary>How the API spells a promotion state, in every answer that carries one.</summary>
public static class PromotionModeNames
{
    public static string ApiName(this PromotionMode mode) =>
        mode switch
        {
            PromotionMode.Continuous => "continuous",
            PromotionMode.Paused => "paused",
            _ => "manual",
        };
}
