using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Ingestion;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>The immune system: a failure of pausing severity pauses its service's continuous environments.</summary>
public sealed class PauseOnIncident(PromotionService promotion) : IIncidentOpenedReaction
{
    public Task ReactAsync(ReleaseBoardDbContext db, IncidentOpened failure, CancellationToken cancellationToken) =>
        promotion.PauseForFailureAsync(db, failure.ServiceId, failure.Severity, failure.Title, cancellationToken);
}
