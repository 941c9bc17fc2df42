namespace ReleaseBoard.Web.Api;

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
