namespace ReleaseBoard.Web.Api;

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
