namespace ReleaseBoard.Web.Infrastructure;

/// <summary>How a wall is painted: dark for a dim room (the default), light for a bright one.</summary>
public enum WallTheme
{
    Dark,
    Light,
}

public static class WallThemes
{
    /// <summary>"dark" or "light", as a wall's address or a display link says it; anything else is none.</summary>
    public static WallTheme? Parse(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "dark" => WallTheme.Dark,
            "light" => WallTheme.Light,
            _ => null,
        };

    public static string Name(this WallTheme theme) => theme == WallTheme.Light ? "light" : "dark";

    /// <summary>The class the sign's root carries; the dark theme is the stylesheet's default.</summary>
    public static string? CssClass(this WallTheme theme) => theme == WallTheme.Light ? "wall--light" : null;
}
