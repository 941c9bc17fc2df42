namespace ReleaseBoard.Web.Features.DemoData;

public sealed class DemoDataOptions
{
    public const string SectionName = "DemoData";

    /// <summary>
    /// Seed the demo dataset on the first start with an empty database. Removed data is never re-seeded.
    /// </summary>
    public bool SeedOnEmptyDatabase { get; set; } = true;
}
