namespace ReleaseBoard.Web.Features.Incidents;

/// <summary>
/// The shared event rules speak the API's field names ("resolvedAt"); the form's people read its labels. One map,
/// both ways: which form field an API field is, and how a message about it reads.
/// </summary>
public static class IncidentFieldNames
{
    public static string FormFieldFor(string field) =>
        field switch
        {
            "startedAt" => nameof(IncidentForm.StartedAtLocal),
            "detectedAt" => nameof(IncidentForm.DetectedAtLocal),
            "resolvedAt" => nameof(IncidentForm.ResolvedAtLocal),
            "url" => nameof(IncidentForm.Url),
            "severity" => nameof(IncidentForm.Severity),
            _ => nameof(IncidentForm.Title),
        };

    public static string ForPeople(string message) =>
        message
            .Replace("resolvedAt", "The resolution", StringComparison.Ordinal)
            .Replace("detectedAt", "The detection", StringComparison.Ordinal)
            .Replace("startedAt", "the impact start", StringComparison.Ordinal)
            .Replace("url", "The link", StringComparison.Ordinal);
}
