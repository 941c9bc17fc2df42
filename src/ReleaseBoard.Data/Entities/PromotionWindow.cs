namespace ReleaseBoard.Data.Entities;

/// <summary>A recurring allow or deny window of an environment, in its team's zone ("Mon-Thu 09:00-16:00").</summary>
public class PromotionWindow
{
    public int Id { get; set; }
    public int EnvironmentId { get; set; }
    public ServiceEnvironment Environment { get; set; } = null!;
    public WindowKind Kind { get; set; }
    public required string Rule { get; set; }
    public string? Reason { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
}

public enum WindowKind
{
    Allow = 0,
    Deny = 1,
}

/// <summary>
/// A scheduled freeze, a planned "stop the line": for one environment, a team (TeamId) or everyone (neither).
/// Cancelled rather than deleted, so the audit trail and the calendar agree on what was planned.
/// </summary>
public class Freeze
{
    public int Id { get; set; }
    public int? TeamId { get; set; }
    public Team? Team { get; set; }
    public int? EnvironmentId { get; set; }
    public ServiceEnvironment? Environment { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public required string Reason { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CancelledBy { get; set; }
}
