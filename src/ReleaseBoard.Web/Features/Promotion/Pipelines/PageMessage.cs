namespace ReleaseBoard.Web.Features.Promotion.Pipelines;

/// <summary>What an action on the pipelines page says back: done, or why not.</summary>
public sealed record PageMessage(string Text, bool IsError)
{
    public static PageMessage From(PromotionOutcome outcome, string success) =>
        outcome switch
        {
            PromotionOutcome.Refused refused => new(refused.Message, true),
            PromotionOutcome.ChangedMeanwhile changed => new(
                $"Changed meanwhile: it is {changed.Current.Mode} now"
                    + (changed.Current.By is { } by ? $" ({by})" : "")
                    + ". Nothing was changed; look again and decide.",
                true
            ),
            _ => new(success, false),
        };
}
