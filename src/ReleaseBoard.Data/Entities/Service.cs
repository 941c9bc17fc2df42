namespace ReleaseBoard.Data.Entities;

/// <summary>A deployable unit owned by a team.</summary>
public class Service
{
    public int Id { get; set; }
    public int TeamId { get; set; }
    public Team Team { get; set; } = null!;
    public required string Slug { get; set; }
    public required string Name { get; set; }

    /// <summary>
    /// The source repository it is deployed from ("owner/name"); GitHub deployment webhooks find the service by it.
    /// </summary>
    public string? Repository { get; set; }

    /// <summary>The PagerDuty service id (e.g. "PF9KMXH") whose incidents are this service's failures.</summary>
    public string? PagerDutyServiceId { get; set; }

    /// <summary>
    /// Its Kubernetes workload's name (a Flagger canary, an Argo Rollout) where it differs from the slug: progressive
    /// delivery webhooks find the service by it.
    /// </summary>
    public string? Workload { get; set; }

    public List<ServiceEnvironment> Environments { get; set; } = [];
}
