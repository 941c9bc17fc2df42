using Microsoft.AspNetCore.Identity;

namespace ReleaseBoard.Data.Entities;

/// <summary>A person who signs in with a local account. Roles: Viewer, Approver, Admin.</summary>
public class ReleaseBoardUser : IdentityUser
{
    public DateTime CreatedAt { get; set; }
}
