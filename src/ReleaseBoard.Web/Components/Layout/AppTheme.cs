using MudBlazor;

namespace ReleaseBoard.Web.Components.Layout;

/// <summary>The desktop pages share the wall's dark look, so moving between them does not flash white.</summary>
public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteDark = new PaletteDark
        {
            // Filled buttons and chips put their contrast text on these colours: dark text on light tones keeps WCAG
            // AA (4.5:1), where MudBlazor's white on its mid tones does not.
            Primary = "#4fc3f7",
            PrimaryContrastText = "#0b0f14",
            Secondary = "#f48fb1",
            SecondaryContrastText = "#0b0f14",
            Info = "#64b5f6",
            InfoContrastText = "#0b0f14",
            Success = "#66bb6a",
            SuccessContrastText = "#0b0f14",
            Warning = "#ffb300",
            WarningContrastText = "#0b0f14",
            Error = "#ff8a80",
            ErrorContrastText = "#0b0f14",
            Background = "#0f1419",
            Surface = "#182028",
            AppbarBackground = "#182028",
        },
    };
}
