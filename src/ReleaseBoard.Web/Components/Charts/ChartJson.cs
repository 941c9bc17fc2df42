using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseBoard.Web.Components.Charts;

/// <summary>
/// How chart options travel: serialised once in camelCase without nulls for absent options, but with nulls kept
/// inside data arrays (a null point is a gap in the line, which is how "no failures" looks). The same JSON decides
/// whether anything changed, so an unchanged chart costs no round trip.
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
