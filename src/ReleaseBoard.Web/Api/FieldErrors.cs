using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Api;

/// <summary>
/// Per-field validation messages, collected before anything is written. Given labels (<see cref="EventFields"/>),
/// messages name fields as people read them; without, by the field's own name.
/// </summary>
public sealed class FieldErrors(IReadOnlyDictionary<string, string>? labels = null)
{
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);
    public bool Any => Errors.Count > 0;

    public void Add(string field, string message) =>
        Errors[field] = Errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Required(string field, object? value, string? message = null)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s))
            Add(field, message ?? $"{Label(field)} is required.");
    }

    public void MaxLength(string field, string? value, int max)
    {
        if (value is { } s && s.Trim().Length > max)
            Add(field, $"{Label(field)} can be at most {max} characters.");
    }

    public void SeverityInRange(string field, int? value)
    {
        if (value is { } s && !Severity.IsValid(s))
            Add(field, $"{Label(field)} is {Severity.Worst} (worst) to {Severity.Least}.");
    }

    public void NotInFuture(string field, DateTimeOffset? value, DateTime nowUtc)
    {
        if (value is { } v && v.UtcDateTime > nowUtc + EventRules.AllowedClockSkew)
            Add(field, $"{Label(field)} cannot be in the future.");
        if (value is { } old && old.UtcDateTime < EventRules.Earliest)
            Add(field, $"{Label(field)} is before {EventRules.Earliest:yyyy-MM-dd}, too far in the past.");
    }

    /// <summary>A link people will open: absolute http(s) only, never javascript: or a relative path.</summary>
    public void HttpLink(string field, string? url)
    {
        MaxLength(field, url, EventRules.UrlMaxLength);
        if (
            !string.IsNullOrWhiteSpace(url)
            && !(Uri.TryCreate(url.Trim(), UriKind.Absolute, out var link) && link.Scheme is "http" or "https")
        )
            Add(field, "The link must be an absolute http(s) address.");
    }

    public void NotBefore(string field, DateTimeOffset? value, string otherField, DateTimeOffset? other)
    {
        if (value is { } v && other is { } o && v < o)
            Add(field, $"{Label(field)} is before {LabelWithin(otherField)}.");
    }

    private string Label(string field) => labels?.GetValueOrDefault(field) ?? field;

    private string LabelWithin(string field) =>
        labels?.GetValueOrDefault(field) is { } label ? char.ToLowerInvariant(label[0]) + label[1..] : field;
}
