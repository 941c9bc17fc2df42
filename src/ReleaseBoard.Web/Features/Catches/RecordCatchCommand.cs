namespace ReleaseBoard.Web.Features.Catches;

/// <summary>A catch to record, from the form, the API or a webhook. Times are UTC.</summary>
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
    string? ExternalId = null,
    string? Link = null
);

public static class CatchSources
{
    public const string Manual = "manual";
    public const string Api = "api";
}
