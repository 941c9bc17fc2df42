using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>An incident that opened: new, or open again.</summary>
public sealed record IncidentOpened(int ServiceId, int Severity, string Title);

/// <summary>
/// What another feature does when an incident opens (Promotion pauses), inside the transaction that stores it, so
/// both are stored or neither. Ingestion knows no reacting feature.
/// </summary>
public interface IIncidentOpenedReaction
{
    Task ReactAsync(ReleaseBoardDbContext db, IncidentOpened incident, CancellationToken cancellationToken);
}
