namespace ReleaseBoard.Data.Entities;

/// <summary>
/// Small named facts about this installation, e.g. that demo data was seeded once (and so is not re-seeded after
/// removal).
/// </summary>
public class SystemFlag
{
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}
