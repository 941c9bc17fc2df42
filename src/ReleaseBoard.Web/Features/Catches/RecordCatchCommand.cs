namespace ReleaseBoard.Web.Features.Catches;

/// <summary>A catch to record, from the form or (later) the API. Times are UTC.</summary>
public sealed record RecordCatchCommand(
    int ServiceId,
    int EnvironmentId,
    int Severity,
    string? Title,
    string? Description,
    string? Version,
    string? ReportedBy,
    DateTime CaughtAtUtc,
    string Source = CatchSources.Manual,
    string? ExternalId = null
);

public static class CatchSources
{
    public const string Manual = "manual";
    public const string Api = "api";
}

/// <summary>Either the stored catch's id, or an error per field and nothing stored.</summary>
public sealed record RecordCatchResult(long? CatchId, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => CatchId is not null;

    public static RecordCatchResult Invalid(Dictionary<string, List<string>> errors) =>
        new(null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
