using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseBoard.Web.Components.Charts;

/// <summary>
/// Chart options as camelCase JSON without absent options but with nulls in data (a gap in the line); the same JSON
/// decides whether anything changed, so an unchanged chart costs no round trip.
/// </summary>
public static class ChartJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonElement AsElement(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
