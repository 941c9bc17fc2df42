namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>Bound from "Webhooks". Secrets come from the environment (Webhooks__GitHub__Secret=…), never a committed file.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    public SharedSecret GitHub { get; set; } = new();
    public SharedSecret PagerDuty { get; set; } = new();
    public AlertmanagerSettings Alertmanager { get; set; } = new();

    public sealed class SharedSecret
    {
        public string? Secret { get; set; }
    }

    public sealed class AlertmanagerSettings
    {
        /// <summary>Values of the "severity" label to ReleaseBoard severities; anything not listed is 4.</summary>
        public Dictionary<string, int> SeverityMap { get; set; } = new(StringComparer.OrdinalIgnoreCase)
        {
            ["critical"] = 1,
            ["major"] = 2,
            ["error"] = 2,
            ["warning"] = 3,
        };
    }
}
