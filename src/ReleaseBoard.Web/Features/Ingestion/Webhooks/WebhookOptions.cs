namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>
/// Bound from "Webhooks". GitHub's and PagerDuty's secrets are not configuration: an Admin binds each to what it may
/// speak for (<see cref="WebhookSecrets"/>).
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Settings of releases before secrets were bound to owners: one secret that spoke for every repository.
    /// </summary>
    public static readonly string[] RetiredSecretSettings = ["Webhooks:GitHub:Secret", "Webhooks:PagerDuty:Secret"];

    public AlertmanagerSettings Alertmanager { get; set; } = new();

    public sealed class AlertmanagerSettings
    {
        /// <summary>Values of the "severity" label to ReleaseBoard severities; anything not listed is 4.</summary>
        public Dictionary<string, int> SeverityMap { get; set; } =
            new(StringComparer.OrdinalIgnoreCase)
            {
                ["critical"] = 1,
                ["major"] = 2,
                ["error"] = 2,
                ["warning"] = 3,
            };
    }
}
