namespace ReleaseBoard.Data.Entities;

public class Deployment
{
    public long Id { get; set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;
    public int EnvironmentId { get; set; }
    public ServiceEnvironment Environment { get; set; } = null!;

    public required string Version { get; set; }
    public string? CommitSha { get; set; }

    /// <summary>When the change was committed; optional, used for lead time.</summary>
    public DateTime? CommitAt { get; set; }

    public DateTime StartedAt { get; set; }

    /// <summary>Empty while the deployment runs (outcome <see cref="DeploymentOutcome.InProgress"/>).</summary>
    public DateTime? FinishedAt { get; set; }
    public DeploymentOutcome Outcome { get; set; }
    public DeploymentKind Kind { get; set; }

    /// <summary>For a rollback: the deployment it rolls back.</summary>
    public long? RollsBackDeploymentId { get; set; }
    public Deployment? RollsBackDeployment { get; set; }

    public DeploymentTrigger Trigger { get; set; }

    /// <summary>
    /// The production incident this deployment was made to fix, as its reporter says: unplanned work (DORA's rework).
    /// </summary>
    public long? FixesIncidentId { get; set; }
    public Incident? FixesIncident { get; set; }

    /// <summary>When ReleaseBoard first stored it, whatever times the report carries.</summary>
    public DateTime ReceivedAt { get; set; }

    /// <summary>
    /// When ReleaseBoard learned of its current <see cref="Outcome"/>. A soak counts from the later of this and
    /// <see cref="FinishedAt"/>, so a late or back-dated report never shortens it.
    /// </summary>
    public DateTime OutcomeReceivedAt { get; set; }

    /// <summary>
    /// The system that reported it ("manual", "github", ...); with <see cref="ExternalId"/> it makes ingestion
    /// idempotent.
    /// </summary>
    public required string Source { get; set; }
    public string? ExternalId { get; set; }
}

public enum DeploymentOutcome
{
    Succeeded = 0,
    Failed = 1,
    RolledBack = 2,

    /// <summary>Reported as started, not finished yet; counts in no figure until it finishes.</summary>
    InProgress = 3,
}

public enum DeploymentKind
{
    Normal = 0,
    Rollback = 1,
}

public enum DeploymentTrigger
{
    Manual = 0,
    Automatic = 1,
}
