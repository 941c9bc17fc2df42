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
}
