namespace ReleaseBoard.Data.Entities;

/// <summary>
/// Something that went wrong in production, of any severity. Open while <see cref="ResolvedAt"/> is empty.
/// </summary>
public class Incident
{
    public long Id { get; set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;

    public int Severity { get; set; }
    public required string Title { get; set; }

    public DateTime ImpactStartedAt { get; set; }
    public DateTime DetectedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }

    public long? CausingDeploymentId { get; set; }
    public Deployment? CausingDeployment { get; set; }

    public required string Source { get; set; }
    public string? ExternalId { get; set; }
    public string? Link { get; set; }

    /// <summary>When ReleaseBoard first stored it (the report's own times can be earlier, or wrong).</summary>
    public DateTime ReceivedAt { get; set; }

    public bool IsOpen => ResolvedAt is null;
}
