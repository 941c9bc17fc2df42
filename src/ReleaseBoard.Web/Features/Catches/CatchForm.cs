using System.ComponentModel.DataAnnotations;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Catches;

/// <summary>What the person types. The caught-at time is the team's local time, as people think of it.</summary>
public sealed class CatchForm
{
    [Required(ErrorMessage = "Choose a team.")]
    public string? TeamSlug { get; set; }

    [Required(ErrorMessage = "Choose a service.")]
    public int? ServiceId { get; set; }

    [Required(ErrorMessage = "Choose the environment where it was caught.")]
    public int? EnvironmentId { get; set; }

    [Range(1, 4, ErrorMessage = "The severity is 1 (worst) to 4.")]
    public int Severity { get; set; } = 2;

    [Required(ErrorMessage = "Say what was caught, in a few words.")]
    [StringLength(EventRules.TitleMaxLength, ErrorMessage = "The title can be at most {1} characters.")]
    public string? Title { get; set; }

    [StringLength(EventRules.DescriptionMaxLength, ErrorMessage = "The description can be at most {1} characters.")]
    public string? Description { get; set; }

    [StringLength(EventRules.VersionMaxLength, ErrorMessage = "The version can be at most {1} characters.")]
    public string? Version { get; set; }

    [Required(ErrorMessage = "Say who caught it.")]
    [StringLength(EventRules.ReportedByMaxLength, ErrorMessage = "The reporter's name can be at most {1} characters.")]
    public string? ReportedBy { get; set; }

    /// <summary>"yyyy-MM-ddTHH:mm" in the team's time zone, as a datetime-local input gives it.</summary>
    [Required(ErrorMessage = "Say when it was caught.")]
    public string? CaughtAtLocal { get; set; }
}
