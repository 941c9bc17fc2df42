namespace ReleaseBoard.Web.Api;

/// <summary>What every event must satisfy, whether it comes from the API, a form or a CSV file.</summary>
public static class EventRules
{
    /// <summary>Reporters' clocks drift a little; a day ahead is a mistake.</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public const string DefaultSource = "api";
    public const int SourceMaxLength = 64;
    public const int ExternalIdMaxLength = 200;
    public const int TitleMaxLength = 300;
    public const int DescriptionMaxLength = 4000;
    public const int VersionMaxLength = 128;
    public const int ReportedByMaxLength = 200;
    public const int UrlMaxLength = 2000;
    public const int CommitShaMaxLength = 64;
}

/// <summary>
/// Event fields by the names the API and CSV files use; errors are keyed by these everywhere, and each form maps
/// them to its own inputs. The label is how a message names the field for people.
/// </summary>
public static class EventFields
{
    public const string Service = "service";
    public const string Environment = "environment";
    public const string Severity = "severity";
    public const string Title = "title";
    public const string Description = "description";
    public const string Version = "version";
    public const string ReportedBy = "reportedBy";
    public const string CaughtAt = "caughtAt";
    public const string StartedAt = "startedAt";
    public const string DetectedAt = "detectedAt";
    public const string ResolvedAt = "resolvedAt";
    public const string Url = "url";
    public const string Source = "source";
    public const string ExternalId = "externalId";
    public const string CausedBy = "causedBy";

    public const string CommitSha = "commitSha";
    public const string CommittedAt = "committedAt";
    public const string FinishedAt = "finishedAt";
    public const string Outcome = "outcome";
    public const string RollsBack = "rollsBack";
    public const string FixesIncident = "fixesIncident";

    private static readonly Dictionary<string, string> Shared = new(StringComparer.Ordinal)
    {
        [Service] = "The service",
        [Environment] = "The environment",
        [Severity] = "The severity",
        [Title] = "The title",
        [Description] = "The description",
        [Version] = "The version",
        [Url] = "The link",
        [Source] = "The source",
        [ExternalId] = "The external id",
    };

    /// <summary>How messages name a catch's fields.</summary>
    public static readonly IReadOnlyDictionary<string, string> CatchLabels = With(
        (ReportedBy, "The reporter's name"),
        (CaughtAt, "The time of the catch")
    );

    /// <summary>How messages name an incident's fields; "startedAt" is when the impact started.</summary>
    public static readonly IReadOnlyDictionary<string, string> IncidentLabels = With(
        (StartedAt, "The impact start"),
        (DetectedAt, "The detection time"),
        (ResolvedAt, "The resolution time")
    );

    /// <summary>How messages name a deployment's fields.</summary>
    public static readonly IReadOnlyDictionary<string, string> DeploymentLabels = With(
        (StartedAt, "The start"),
        (FinishedAt, "The finish"),
        (CommittedAt, "The commit time"),
        (CommitSha, "The commit SHA"),
        (Outcome, "The outcome"),
        (RollsBack, "The id of the reverted deployment")
    );

    private static Dictionary<string, string> With(params (string Field, string Label)[] own)
    {
        var labels = new Dictionary<string, string>(Shared, StringComparer.Ordinal);
        foreach (var (field, label) in own)
            labels[field] = label;
        return labels;
    }
}
