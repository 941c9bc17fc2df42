namespace ReleaseBoard.Data.Entities;

/// <summary>
/// A hard-to-guess address that shows one or more teams' walls read-only, without login, on a TV. Only the hash of
/// its token is stored; the address is shown once, when it is created.
/// </summary>
public class DisplayLink
{
    public int Id { get; set; }

    /// <summary>Lowercase hex SHA-256 of the token in the address.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first characters of the token, to tell links apart.</summary>
    public required string TokenPrefix { get; set; }

    /// <summary>With several teams, how long each wall stays on screen.</summary>
    public int RotateEverySeconds { get; set; } = 30;

    /// <summary>"dark" or "light": how the TV paints the wall, for the room it hangs in.</summary>
    public string Theme { get; set; } = "dark";

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    public List<DisplayLinkTeam> Teams { get; set; } = [];

    public bool IsActive => RevokedAt is null;
}

/// <summary>One team shown by a display link, in rotation order.</summary>
public class DisplayLinkTeam
{
    public int DisplayLinkId { get; set; }
    public int TeamId { get; set; }
    public Team Team { get; set; } = null!;
    public int Position { get; set; }
}
