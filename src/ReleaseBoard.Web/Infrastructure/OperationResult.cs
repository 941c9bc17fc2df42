namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// The outcome of an operation that a person or a script asked for: a value, or a message for one field.
/// </summary>
public sealed record OperationResult<T>(T? Value, string? ErrorField, string? Error)
{
    public bool Succeeded => Error is null;

    public static OperationResult<T> Ok(T value) => new(value, null, null);

    public static OperationResult<T> Fail(string field, string message) => new(default, field, message);
}
