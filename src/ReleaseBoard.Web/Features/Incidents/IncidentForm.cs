using System.ComponentModel.DataAnnotations;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Incidents;

/// <summary>
/// What the person types about an incident. Times are the team's local time, as people think of them.
/// </summary>
public sealed class IncidentForm
{
    [Required(ErrorMessage = "Choose a team.")]
    public string? TeamSlug { get; set; }

    [Required(ErrorMessage = "Choose the service it happened to.")]
    public int? ServiceId { get; set; }

    [Range(1, 4, ErrorMessage = "The severity is 1 (worst) to 4.")]
    public int Severity { get; set; } = 2;

    [Required(ErrorMessage = "Say what went wrong, in a few words.")]
    [StringLength(EventRules.TitleMaxLength, ErrorMessage = "The title can be at most {1} characters.")]
    public string? Title { get; set; }

    /// <summary>When users were first hurt: "yyyy-MM-ddTHH:mm" in the team's zone.</summary>
    [Required(ErrorMessage = "Say when the impact started.")]
    public string? StartedAtLocal { get; set; }

    /// <summary>When someone noticed; the start when left empty.</summary>
    public string? DetectedAtLocal { get; set; }

    /// <summary>Empty while it is still open.</summary>
    public string? ResolvedAtLocal { get; set; }

    [StringLength(EventRules.UrlMaxLength, ErrorMessage = "The link can be at most {1} characters.")]
    public string? Url { get; set; }
}
