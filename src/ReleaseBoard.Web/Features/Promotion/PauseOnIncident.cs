using ReleaseBoard.Data;
using ReleaseBoard.Web.Features.Ingestion;

namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>The immune system: an incident of pausing severity pauses its service's continuous environments.</summary>
public sealed class PauseOnIncident(PromotionService promotion) : IIncidentOpenedReaction
{
    public Task ReactAsync(ReleaseBoardDbContext db, IncidentOpened incident, CancellationToken cancellationToken) =>
        promotion.PauseForIncidentAsync(db, incident.ServiceId, incident.Severity, incident.Title, cancellationToken);
}
