using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Incidents;

/// <summary>Errors are keyed by the event fields the API uses; this is which input of the form each one is.</summary>
public static class IncidentFieldNames
{
    public static string FormFieldFor(string field) =>
        field switch
        {
            EventFields.StartedAt => nameof(IncidentForm.StartedAtLocal),
            EventFields.DetectedAt => nameof(IncidentForm.DetectedAtLocal),
            EventFields.ResolvedAt => nameof(IncidentForm.ResolvedAtLocal),
            EventFields.Url => nameof(IncidentForm.Url),
            EventFields.Severity => nameof(IncidentForm.Severity),
            _ => nameof(IncidentForm.Title),
        };
}
