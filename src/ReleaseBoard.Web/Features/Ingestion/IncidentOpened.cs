using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>A production failure that opened: new, or open again.</summary>
public sealed record IncidentOpened(int ServiceId, int Severity, string Title);

/// <summary>
/// What another feature does when a failure opens (Promotion pauses). Called inside the transaction that stores the
/// failure, so the failure and the reaction are stored together or not at all. Ingestion knows no reacting feature.
/// </summary>
public interface IIncidentOpenedReaction
{
    Task ReactAsync(ReleaseBoardDbContext db, IncidentOpened failure, CancellationToken cancellationToken);
}
