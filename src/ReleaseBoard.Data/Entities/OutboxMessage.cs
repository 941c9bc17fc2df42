namespace ReleaseBoard.Data.Entities;

/// <summary>
/// Something ReleaseBoard must tell another system, written in the same transaction as the decision behind it and
/// sent at least once: a promotion dispatch or a notification. The unique key makes the decision once.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public OutboxKind Kind { get; set; }

    /// <summary>
    /// "dispatch/{environmentId}/{version}" (one dispatch per environment and version, on any instance) or
    /// "notify/{targetId}/{event}/…" (one notification per target and event).
    /// </summary>
    public required string Key { get; set; }

    /// <summary>
    /// Dispatches of one environment are sent in order, one at a time; notifications in order per target.
    /// </summary>
    public int? EnvironmentId { get; set; }
    public ServiceEnvironment? Environment { get; set; }
    public string? Version { get; set; }

    /// <summary>Notifications: the target (no foreign key: removing a target cancels its messages).</summary>
    public int? TargetId { get; set; }

    /// <summary>Notifications: what happened, e.g. "stop-the-line".</summary>
    public string? Event { get; set; }

    /// <summary>The JSON body as it is sent (and signed).</summary>
    public required string Payload { get; set; }

    public OutboxState State { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }

    /// <summary>
    /// The instance sending it, until when: another instance takes over only after the lease runs out.
    /// </summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
}

public enum OutboxKind
{
    Dispatch = 0,
    Notification = 1,
}

public enum OutboxState
{
    Pending = 0,
    Sent = 1,

    /// <summary>Refused by the receiver (4xx): sending again would not help.</summary>
    Failed = 2,

    /// <summary>Out of retries: kept, visible, and sent again when an Admin says so.</summary>
    DeadLettered = 3,

    /// <summary>No longer wanted: a pause, a catch or a freeze arrived before it was sent.</summary>
    Cancelled = 4,
}

/// <summary>
/// How an environment's promotion is started when it becomes eligible: a signed HTTP POST to a receiver, a GitHub
/// Actions workflow_dispatch or a GitLab pipeline trigger.
/// </summary>
public class PromotionAction
{
    public int Id { get; set; }
    public int EnvironmentId { get; set; }
    public ServiceEnvironment Environment { get; set; } = null!;
    public PromotionActionKind Kind { get; set; }

    /// <summary>Http: the receiver's address. GitHub and GitLab: the API base URL comes from configuration.</summary>
    public required string Url { get; set; }

    /// <summary>GitHub: "owner/repo"; GitLab: the project's id or path.</summary>
    public string? Repository { get; set; }

    /// <summary>GitHub: the workflow file (deploy.yml) or id.</summary>
    public string? Workflow { get; set; }

    /// <summary>GitHub and GitLab: the branch or tag the workflow or pipeline runs on.</summary>
    public string? Ref { get; set; }

    /// <summary>
    /// Http: the HMAC secret; GitLab: the pipeline trigger token; protected with Data Protection (they must be read
    /// back). GitHub's token comes from configuration.
    /// </summary>
    public required string ProtectedSecret { get; set; }

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
}

public enum PromotionActionKind
{
    Http = 0,
    GitHubWorkflow = 1,
    GitLabPipeline = 2,
}

/// <summary>Where a team hears what ReleaseBoard did: a Slack or Teams channel, or a signed JSON webhook.</summary>
public class NotificationTarget
{
    public int Id { get; set; }

    /// <summary>Null: every team's events.</summary>
    public int? TeamId { get; set; }
    public Team? Team { get; set; }
    public NotificationKind Kind { get; set; }
    public required string Name { get; set; }

    /// <summary>The webhook address is a secret (Slack's and Teams' hold a token): protected, never shown.</summary>
    public required string ProtectedUrl { get; set; }

    /// <summary>The address as it may be shown: scheme, host and a hint of the path.</summary>
    public required string ShownUrl { get; set; }

    /// <summary>Json: the HMAC signing secret, protected.</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>The events it gets, comma-separated; empty: all of them.</summary>
    public string Events { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
}

public enum NotificationKind
{
    Slack = 0,
    Teams = 1,
    Json = 2,
}
