namespace ReleaseBoard.Web.Features.Trends;

/// <summary>
/// Thins a series to what a chart can show. Each group of neighbouring points keeps its lowest and highest value, in
/// their order, so a days-since sawtooth keeps every reset to 0 and every peak, where plain sampling would drop them.
/// </summary>
public static class Downsampler
{
    public readonly record struct Point(long X, double? Y);

    public static IReadOnlyList<Point> MinMax(IReadOnlyList<Point> points, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 4);
        if (points.Count <= maxPoints)
            return points;

        var groups = maxPoints / 2;
        var result = new List<Point>(maxPoints);
        for (var g = 0; g < groups; g++)
        {
            var start = (int)((long)g * points.Count / groups);
            var end = (int)((long)(g + 1) * points.Count / groups);
            int? low = null,
                high = null;
            for (var i = start; i < end; i++)
            {
                if (points[i].Y is not { } y)
                    continue;
                if (low is null || y < points[low.Value].Y)
                    low = i;
                if (high is null || y > points[high.Value].Y)
                    high = i;
            }
            if (low is null)
            {
                result.Add(points[start]);
                continue;
            } // a gap stays a gap
            if (low == high)
            {
                result.Add(points[low.Value]);
                continue;
            }
            result.Add(points[Math.Min(low.Value, high!.Value)]);
            result.Add(points[Math.Max(low.Value, high.Value)]);
        }
        return result;
    }
}
