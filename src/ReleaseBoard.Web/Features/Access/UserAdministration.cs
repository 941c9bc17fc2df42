using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record UserSummary(string Id, string Email, string? Role, bool IsLockedOut, DateTime CreatedAt);

/// <summary>Local accounts and their single role, for the admin pages, the command line and the first start.</summary>
public sealed class UserAdministration(
    UserManager<ReleaseBoardUser> users,
    RoleManager<IdentityRole> roles,
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock)
{
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }

    public async Task<bool> AnyAdminAsync() => (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0;

    public async Task<OperationResult<string>> CreateAsync(string? email, string? role, string? password, AuditActor actor)
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

    public async Task<OperationResult<bool>> ResetPasswordAsync(string? email, string? password, AuditActor actor)
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

    public async Task<OperationResult<bool>> SetRoleAsync(string? email, string? role, AuditActor actor)
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

    public async Task<IReadOnlyList<UserSummary>> ListAsync()
    {
        var now = clock.GetUtcNow();
        var result = new List<UserSummary>();
        foreach (var user in await users.Users.OrderBy(u => u.Email).ToListAsync())
        {
            var role = (await users.GetRolesAsync(user)).FirstOrDefault();
            result.Add(new UserSummary(user.Id, user.Email ?? user.UserName ?? "", role, user.LockoutEnd > now, user.CreatedAt));
        }
        return result;
    }

    private async Task AuditAsync(AuditActor actor, string action, string subject, string? after, string? before = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime, ActorKind = actor.Kind, Actor = actor.Name, Action = action,
            Subject = $"user/{subject}", Before = before, After = after,
        });
        await db.SaveChangesAsync();
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
