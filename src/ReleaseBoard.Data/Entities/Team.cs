namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A team owns services; its time zone answers every calendar question ("how many days", "which week").
/// </summary>
public class Team
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }

    /// <summary>IANA time zone id, e.g. "Europe/Berlin".</summary>
    public required string TimeZoneId { get; set; }

    /// <summary>Failures and catches count when their severity is at most this (1 = worst). Default 3.</summary>
    public int CountingSeverityThreshold { get; set; } = Severity.DefaultCountingThreshold;

    /// <summary>True for the generated demo dataset, so the UI can label it and it can be removed.</summary>
    public bool IsDemo { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Service> Services { get; set; } = [];
}
