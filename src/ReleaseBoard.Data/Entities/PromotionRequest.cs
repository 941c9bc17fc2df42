namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A request to turn an environment to Continuous (from Manual, or resuming from Paused). It takes effect when the
/// environment's number of distinct approvers, none of them the requester, have approved before it expires.
/// </summary>
public class PromotionRequest
{
    public long Id { get; set; }
    public int EnvironmentId { get; set; }
    public ServiceEnvironment Environment { get; set; } = null!;

    /// <summary>The state the environment was in when asked: Manual or Paused.</summary>
    public PromotionMode From { get; set; }

    public required string RequestedBy { get; set; }

    /// <summary>The requester's stable id: four eyes compare ids, never names.</summary>
    public required string RequestedById { get; set; }
    public required string Reason { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime ExpiresAt { get; set; }

    /// <summary>How many distinct approvers the environment's policy asked for when the request was made.</summary>
    public int RequiredApprovals { get; set; }

    public PromotionRequestStatus Status { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? ClosedBy { get; set; }

    public List<PromotionApproval> Approvals { get; set; } = [];
}

public enum PromotionRequestStatus
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
    Expired = 3,
    Withdrawn = 4,
}

/// <summary>
/// One approver's yes. An approval given while a readiness criterion failed carries a written override reason.
/// </summary>
public class PromotionApproval
{
    public long Id { get; set; }
    public long RequestId { get; set; }
    public PromotionRequest Request { get; set; } = null!;
    public required string ApprovedBy { get; set; }

    /// <summary>The approver's stable id; one approval per person and request, enforced by the store.</summary>
    public required string ApproverId { get; set; }
    public DateTime ApprovedAt { get; set; }
    public string? OverrideReason { get; set; }

    /// <summary>
    /// The readiness evidence as the approver saw it (JSON): each criterion, its value, threshold and verdict.
    /// </summary>
    public string? Evidence { get; set; }

    /// <summary>Lowercase hex SHA-256 of <see cref="Evidence"/>.</summary>
    public string? EvidenceHash { get; set; }
}
