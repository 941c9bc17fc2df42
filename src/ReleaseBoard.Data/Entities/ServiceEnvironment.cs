namespace ReleaseBoard.Data.Entities;

/// <summary>
/// An ordered stage of one service's pipeline (dev, staging, production...). Named ServiceEnvironment
/// rather than Environment so it never collides with <see cref="System.Environment"/>.
/// </summary>
public class ServiceEnvironment
{
    public int Id { get; set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;
    public required string Name { get; set; }

    /// <summary>Position in the pipeline, 0 first.</summary>
    public int Order { get; set; }

    public bool IsProduction { get; set; }

    /// <summary>The Kubernetes namespace this stage runs in: progressive delivery webhooks name it.</summary>
    public string? Namespace { get; set; }

    public PromotionMode PromotionMode { get; set; } = PromotionMode.Manual;
    public DateTime PromotionModeChangedAt { get; set; }
    public string? PromotionModeChangedBy { get; set; }

    /// <summary>
    /// Why the state last changed, in the words of whoever changed it (or the incident that paused it).
    /// </summary>
    public string? PromotionModeReason { get; set; }

    /// <summary>
    /// Approval policy: how many distinct approvers turn continuous promotion on (production 2, else 1 by default).
    /// </summary>
    public int RequiredApprovals { get; set; } = 1;

    /// <summary>
    /// Approval policy: minutes a version soaks in the previous stage before continuous promotion takes it.
    /// </summary>
    public int SoakMinutes { get; set; }

    // Readiness thresholds for turning this environment continuous (docs/promotion.md), each with its evidence beside
    // the switch.

    /// <summary>Days since the service's last counting catch must be at least this.</summary>
    public int ReadinessMinDaysSinceCatch { get; set; } = 7;

    /// <summary>The service's MTTR over 90 days must be at most this many minutes.</summary>
    public int ReadinessMaxMttrMinutes { get; set; } = 60;

    /// <summary>The service's change failure rate over 90 days must be at most this percentage.</summary>
    public int ReadinessMaxChangeFailurePercent { get; set; } = 15;

    /// <summary>A production rollback must have been proven within this many days ...</summary>
    public int ReadinessRollbackWithinDays { get; set; } = 30;

    /// <summary>... and have taken at most this many minutes.</summary>
    public int ReadinessRollbackMaxMinutes { get; set; } = 15;

    /// <summary>Changes on every write so two people acting at once cannot silently overwrite each other.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    /// <summary>When it may promote on its own (policy, like the fields above).</summary>
    public List<PromotionWindow> Windows { get; set; } = [];
}

public enum PromotionMode
{
    Manual = 0,
    Continuous = 1,
    Paused = 2,
}
