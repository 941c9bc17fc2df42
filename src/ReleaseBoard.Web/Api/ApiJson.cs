using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseBoard.Web.Api;

/// <summary>
/// Reads API bodies with a size cap and turns every way a body can be wrong (not JSON, a wrong type, an unknown enum
/// value) into a message on the field it concerns, so a client is told what to fix rather than "bad request".
/// </summary>
public static class ApiJson
{
    public const int MaxBodyBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = Configure(
        new JsonSerializerOptions(JsonSerializerDefaults.Web)
    );

    /// <summary>camelCase names, enums as camelCase strings (never numbers), as the API documents them.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }

    public sealed record ReadResult<T>(T? Value, Dictionary<string, string[]> Errors)
    {
        public bool Succeeded => Errors.Count == 0 && Value is not null;
    }

    public static async Task<ReadResult<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBodyBytes)
            return Fail<T>("body", $"The body is larger than {MaxBodyBytes / 1024} KB.");
        if (
            request.ContentType is not { } type
            || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        )
            return Fail<T>("body", "Send JSON with Content-Type: application/json.");

        if (await ReadCappedAsync(request, MaxBodyBytes, cancellationToken) is not { } body)
            return Fail<T>("body", $"The body is larger than {MaxBodyBytes / 1024} KB.");

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, Options);
            return value is null
                ? Fail<T>("body", "The body is empty or null; send a JSON object.")
                : new ReadResult<T>(value, []);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return Fail<T>(
                field,
                field == "body"
                    ? "The body is not valid JSON."
                    : $"The value of {field} has the wrong type or is not one of its allowed values."
            );
        }
    }

    /// <summary>
    /// The raw body, or null when it is larger than <paramref name="maxBytes"/> (said or found while reading).
    /// </summary>
    public static async Task<byte[]?> ReadCappedAsync(
        HttpRequest request,
        int maxBytes,
        CancellationToken cancellationToken
    )
    {
        if (request.ContentLength > maxBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
                return null;
        }
        return buffer.ToArray();
    }

    /// <summary>The same options, indented, for documents people read (the command line, the catalog page).</summary>
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "body";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "body" : field;
    }

    private static ReadResult<T> Fail<T>(string field, string message) => new(default, new() { [field] = [message] });
}
