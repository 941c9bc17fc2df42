namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>
/// What became of an event: stored (new or brought up to date), or refused with the reason a client can act on.
/// </summary>
public abstract record IngestOutcome<T>
{
    public sealed record Stored(T Item, bool Created) : IngestOutcome<T>;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : IngestOutcome<T>;

    public sealed record NotFound(string Detail) : IngestOutcome<T>;

    public sealed record Forbidden(string Detail) : IngestOutcome<T>;

    public static Invalid Field(string field, string message) => new(new() { [field] = [message] });
}

/// <summary>Per-field validation messages, collected before anything is written.</summary>
public sealed class FieldErrors
{
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);
    public bool Any => Errors.Count > 0;

    public void Add(string field, string message) =>
        Errors[field] = Errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Required(string field, object? value)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s))
            Add(field, $"{field} is required.");
    }

    public void MaxLength(string field, string? value, int max)
    {
        if (value is { } s && s.Trim().Length > max)
            Add(field, $"{field} can be at most {max} characters.");
    }

    public void NotInFuture(string field, DateTimeOffset? value, DateTime nowUtc)
    {
        if (value is { } v && v.UtcDateTime > nowUtc + EventRules.AllowedClockSkew)
            Add(field, $"{field} is in the future.");
        if (value is { } old && old.UtcDateTime < EventRules.Earliest)
            Add(field, $"{field} is before {EventRules.Earliest:yyyy-MM-dd}.");
    }

    public void NotBefore(string field, DateTimeOffset? value, string otherField, DateTimeOffset? other)
    {
        if (value is { } v && other is { } o && v < o)
            Add(field, $"{field} is before {otherField}.");
    }
}

public static class EventRules
{
    /// <summary>Reporters' clocks drift a little; a day ahead is a mistake.</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public const string DefaultSource = "api";
    public const int SourceMaxLength = 64;
    public const int ExternalIdMaxLength = 200;
}
