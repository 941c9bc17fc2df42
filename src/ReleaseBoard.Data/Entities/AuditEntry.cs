namespace ReleaseBoard.Data.Entities;

/// <summary>Append-only record of who changed what, from what to what, and why.</summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public AuditActorKind ActorKind { get; set; }
    public required string Actor { get; set; }

    /// <summary>The actor's stable id (a user's id, an SSO issuer and subject, "api-key/7", "system").</summary>
    public string? ActorId { get; set; }

    /// <summary>A short machine-readable verb, e.g. "catch.recorded".</summary>
    public required string Action { get; set; }

    /// <summary>What was acted on, e.g. "catch/42" or "environment/7".</summary>
    public required string Subject { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? Reason { get; set; }

    /// <summary>What the actor decided on, as it stood (an approval's readiness evidence with its hash).</summary>
    public string? Evidence { get; set; }
    public int? TeamId { get; set; }
}

public enum AuditActorKind
{
    User = 0,
    ApiKey = 1,
    System = 2,
}
