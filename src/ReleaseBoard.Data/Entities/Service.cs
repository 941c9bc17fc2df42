namespace ReleaseBoard.Data.Entities;

/// <summary>A deployable unit owned by a team.</summary>
public class Service
{
    public int Id { get; set; }
    public int TeamId { get; set; }
    public Team Team { get; set; } = null!;
    public required string Slug { get; set; }
    public required string Name { get; set; }

    public List<ServiceEnvironment> Environments { get; set; } = [];
}
