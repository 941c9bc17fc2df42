using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record UserSummary(string Id, string Email, string? Role, bool IsLockedOut, DateTime CreatedAt);

/// <summary>
/// Local accounts and their single role, for the admin pages, the command line and the first start. Each call works
/// in a scope of its own (its own UserManager and DbContext), so a page never holds a context for a whole circuit.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, IDbContextFactory<ReleaseBoardDbContext> dbFactory, TimeProvider clock)
{
    private async Task<T> WithUsersAsync<T>(Func<UserManager<ReleaseBoardUser>, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>());
    }

    public async Task EnsureRolesAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }

    public Task<bool> AnyAdminAsync() => WithUsersAsync(async users => (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0);

    /// <summary>
    /// Whether the person may act under <paramref name="policy"/> right now, read from the store rather than from the
    /// sign-in's claims: a role taken away or a password reset since sign-in counts at once. Single-sign-on users have
    /// no local account; their claims are all there is.
    /// </summary>
    public async Task<bool> MayActNowAsync(System.Security.Claims.ClaimsPrincipal principal, string policy)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var stampClaim = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        string[] allowed = policy switch
        {
            Policies.Admin => [Roles.Admin],
            Policies.Record => [Roles.Approver, Roles.Admin],
            _ => [.. Roles.All],
        };

        if (principal.FindFirst(stampClaim) is not { } stamp)
            return principal.Identity?.IsAuthenticated == true && !principal.IsApiKey() && allowed.Any(principal.IsInRole);

        var user = await users.GetUserAsync(principal);
        if (user is null || await users.IsLockedOutAsync(user) || await users.GetSecurityStampAsync(user) != stamp.Value) return false;
        var current = await users.GetRolesAsync(user);
        return allowed.Any(current.Contains);
    }

    public Task<OperationResult<string>> CreateAsync(string? email, string? role, string? password, AuditActor actor) =>
        WithUsersAsync(users => CreateAsync(users, email, role, password, actor));

    private async Task<OperationResult<string>> CreateAsync(UserManager<ReleaseBoardUser> users, string? email, string? role, string? password, AuditActor actor)
    {
        email = email?.Trim();
        var parsedRole = Roles.Parse(role);
        if (string.IsNullOrEmpty(email) || !email.Contains('@')) return OperationResult<string>.Fail("email", "Give an email address.");
        if (parsedRole is null) return OperationResult<string>.Fail("role", $"The role is one of {string.Join(", ", Roles.All)}.");
        if (string.IsNullOrEmpty(password)) return OperationResult<string>.Fail("password", "Give a password.");
        if (await users.FindByEmailAsync(email) is not null) return OperationResult<string>.Fail("email", $"A user {email} exists already.");

        await EnsureRolesAsync();
        var user = new ReleaseBoardUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return OperationResult<string>.Fail("password", Describe(created));
        await users.AddToRoleAsync(user, parsedRole);
        await AuditAsync(actor, "user.created", email, after: parsedRole);
        return OperationResult<string>.Ok(user.Id);
    }

    public Task<OperationResult<bool>> ResetPasswordAsync(string? email, string? password, AuditActor actor) =>
        WithUsersAsync(users => ResetPasswordAsync(users, email, password, actor));

    private async Task<OperationResult<bool>> ResetPasswordAsync(UserManager<ReleaseBoardUser> users, string? email, string? password, AuditActor actor)
    {
        var user = await users.FindByEmailAsync(email?.Trim() ?? "");
        if (user is null) return OperationResult<bool>.Fail("email", $"There is no user {email}.");
        if (string.IsNullOrEmpty(password)) return OperationResult<bool>.Fail("password", "Give a password.");

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded) return OperationResult<bool>.Fail("password", Describe(reset));
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await AuditAsync(actor, "user.password-reset", user.Email!, after: null);
        return OperationResult<bool>.Ok(true);
    }

    public Task<OperationResult<bool>> SetRoleAsync(string? email, string? role, AuditActor actor) =>
        WithUsersAsync(users => SetRoleAsync(users, email, role, actor));

    private async Task<OperationResult<bool>> SetRoleAsync(UserManager<ReleaseBoardUser> users, string? email, string? role, AuditActor actor)
    {
        var user = await users.FindByEmailAsync(email?.Trim() ?? "");
        var parsedRole = Roles.Parse(role);
        if (user is null) return OperationResult<bool>.Fail("email", $"There is no user {email}.");
        if (parsedRole is null) return OperationResult<bool>.Fail("role", $"The role is one of {string.Join(", ", Roles.All)}.");

        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && parsedRole != Roles.Admin && (await users.GetUsersInRoleAsync(Roles.Admin)).Count == 1)
            return OperationResult<bool>.Fail("role", "This is the last admin; make someone else an admin first.");

        await EnsureRolesAsync();
        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, parsedRole);
        // Signs the user's other sessions out of their old rights.
        await users.UpdateSecurityStampAsync(user);
        await AuditAsync(actor, "user.role-changed", user.Email!, before: string.Join(",", current), after: parsedRole);
        return OperationResult<bool>.Ok(true);
    }

    public Task<IReadOnlyList<UserSummary>> ListAsync() => WithUsersAsync(ListAsync);

    private async Task<IReadOnlyList<UserSummary>> ListAsync(UserManager<ReleaseBoardUser> users)
    {
        var now = clock.GetUtcNow();
        var result = new List<UserSummary>();
        foreach (var user in await users.Users.OrderBy(u => u.Email).ToListAsync())
        {
            var role = (await users.GetRolesAsync(user)).FirstOrDefault();
            result.Add(new UserSummary(user.Id, user.Email ?? user.UserName ?? "", role, user.LockoutEnd > now, user.CreatedAt));
        }
        return (IReadOnlyList<UserSummary>)result;
    }

    private async Task AuditAsync(AuditActor actor, string action, string subject, string? after, string? before = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime, ActorKind = actor.Kind, Actor = actor.Name, ActorId = actor.Id, Action = action,
            Subject = $"user/{subject}", Before = before, After = after,
        });
        await db.SaveChangesAsync();
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
