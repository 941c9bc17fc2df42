using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Admin;

/// <summary>
/// Admin pages check the Admin policy again for every action, at the moment of the action, so a role taken away
/// meanwhile (or an event forged on the circuit) changes nothing.
/// </summary>
public abstract class AdminPageBase : ComponentBase
{
    [Inject]
    private UserAdministration Users { get; set; } = null!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = null!;

    protected string? Error { get; set; }

    /// <summary>The acting admin, or null (and <see cref="Error"/> set) when the current user is not one.</summary>
    protected async Task<AuditActor?> AuthorizeAdminAsync()
    {
        var user = (await AuthenticationState).User;
        if (await Users.MayActNowAsync(user, Policies.Admin))
            return user.ToAuditActor();
        Error = "This needs the Admin role. Nothing was changed.";
        return null;
    }
}
