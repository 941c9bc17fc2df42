namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A webhook's signing secret, bound to what its deliveries may speak for; protected, not hashed, because verifying
/// a signature needs it back.
/// </summary>
public class WebhookSecret
{
    public int Id { get; set; }
    public WebhookTool Tool { get; set; }

    /// <summary>GitHub: the one repository ("owner/name", lowercase) it speaks for.</summary>
    public string? Repository { get; set; }

    /// <summary>PagerDuty, Flagger, Argo Rollouts, catches: the one service it speaks for.</summary>
    public int? ServiceId { get; set; }
    public Service? Service { get; set; }

    /// <summary>Or every repository or service of this team.</summary>
    public int? TeamId { get; set; }
    public Team? Team { get; set; }

    /// <summary>The secret as Data Protection protected it.</summary>
    public required string ProtectedSecret { get; set; }

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

public enum WebhookTool
{
    GitHub = 0,
    PagerDuty = 1,

    /// <summary>Flagger's canary webhooks (events, confirm-promotion, rollback); the secret is in metadata.</summary>
    Flagger = 2,

    /// <summary>Argo Rollouts notifications: the secret is the webhook service's bearer token.</summary>
    ArgoRollouts = 3,

    /// <summary>Any test or analysis system's catches: signed like GitHub's, or a bearer token.</summary>
    Catch = 4,
}

/// <summary>A delivery a webhook has already been acted on: the same delivery id again changes nothing.</summary>
public class WebhookDelivery
{
    public long Id { get; set; }
    public WebhookTool Tool { get; set; }

    /// <summary>GitHub's X-GitHub-Delivery, PagerDuty's event id.</summary>
    public required string DeliveryId { get; set; }

    public DateTime ReceivedAt { get; set; }
    public int? SecretId { get; set; }
}
