using MudBlazor;

namespace ReleaseBoard.Web.Components.Layout;

/// <summary>The desktop pages share the wall's dark look, so moving between them does not flash white.</summary>
public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteDark = new PaletteDark
        {
            Primary = "#4fc3f7",
            Background = "#0f1419",
            Surface = "#182028",
            AppbarBackground = "#182028",
        },
    };
}
