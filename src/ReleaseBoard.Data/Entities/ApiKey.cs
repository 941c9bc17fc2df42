namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A key a pipeline or incident tool sends as "Authorization: Bearer &lt;key&gt;". Only its SHA-256 hash is stored;
/// the key itself is shown once, when it is created.
/// </summary>
public class ApiKey
{
    public int Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The team the key may act for; null means every team.</summary>
    public int? TeamId { get; set; }
    public Team? Team { get; set; }

    /// <summary>Lowercase hex SHA-256 of the key.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The first characters of the key, so people can tell keys apart without the secret.</summary>
    public required string KeyPrefix { get; set; }

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    public bool IsActive => RevokedAt is null;
}
