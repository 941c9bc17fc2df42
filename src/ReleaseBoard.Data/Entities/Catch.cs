namespace ReleaseBoard.Data.Entities;

/// <summary>A defect caught before production that would have hurt production: it resets the wall's count.</summary>
public class Catch
{
    public long Id { get; set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;

    /// <summary>The pre-production environment where it was caught.</summary>
    public int EnvironmentId { get; set; }
    public ServiceEnvironment Environment { get; set; } = null!;

    public int Severity { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public string? Version { get; set; }
    public required string ReportedBy { get; set; }
    public DateTime CaughtAt { get; set; }

    /// <summary>When ReleaseBoard learned of it (can be later than <see cref="CaughtAt"/>).</summary>
    public DateTime RecordedAt { get; set; }

    public required string Source { get; set; }
    public string? ExternalId { get; set; }

    /// <summary>Where the tool that caught it shows it (the failed analysis, the test run).</summary>
    public string? Link { get; set; }
}
