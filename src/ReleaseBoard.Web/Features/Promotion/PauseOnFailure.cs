using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Ingestion;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>The immune system: a failure of pausing severity pauses its service's continuous environments.</summary>
public sealed class PauseOnFailure(PromotionService promotion) : IFailureOpenedReaction
{
    public Task ReactAsync(ReleaseBoardDbContext db, FailureOpened failure, CancellationToken cancellationToken) =>
        promotion.PauseForFailureAsync(db, failure.ServiceId, failure.Severity, failure.Title, cancellationToken);
}
