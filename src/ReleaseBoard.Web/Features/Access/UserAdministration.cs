using System.Data;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record UserSummary(
    string Id,
    string Email,
    string? Role,
    bool IsLockedOut,
    bool IsDisabled,
    DateTime CreatedAt
);

/// <summary>
/// Local accounts and their one role. Each call has a scope of its own, so no page holds a context for a circuit;
/// whatever takes access away is announced through <see cref="AccessRevocation"/>.
/// </summary>
public sealed class UserAdministration(
    IServiceScopeFactory scopes,
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    AccessRevocation revocation
)
{
    /// <summary>A disabled account is locked out until this far away: for good, until an Admin enables it.</summary>
    private static readonly DateTimeOffset Disabled = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Disabled by an Admin, as opposed to locked for a while after failed passwords: only the first ends sessions
    /// (anyone who knows an email can cause the second).
    /// </summary>
    internal static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd == Disabled;

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

    public Task<bool> AnyAdminAsync() =>
        WithUsersAsync(async users => (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0);

    /// <summary>
    /// Whether this sign-in still stands in the store: an enabled account with the security stamp it signed in with, or
    /// an SSO session that <see cref="SsoIdentities.MayActAsync"/> accepts.
    /// </summary>
    public async Task<bool> StillSignedInAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (principal.Identity?.IsAuthenticated != true || principal.IsApiKey())
            return false;
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var stampClaim = services
            .GetRequiredService<IOptions<IdentityOptions>>()
            .Value.ClaimsIdentity.SecurityStampClaimType;
        if (principal.FindFirst(stampClaim) is { } stamp)
        {
            var users = services.GetRequiredService<UserManager<ReleaseBoardUser>>();
            var user = await users.GetUserAsync(principal);
            return user is not null
                && !IsDisabled(user.LockoutEnd)
                && await users.GetSecurityStampAsync(user) == stamp.Value;
        }
        // Single sign-on: no local account to compare with; the session's end and the identity's state decide.
        if (
            !long.TryParse(
                principal.FindFirstValue(PersonClaims.SessionEnds),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var ends
            )
            || clock.GetUtcNow() >= DateTimeOffset.FromUnixTimeSeconds(ends)
        )
            return false;
        return int.TryParse(
                principal.FindFirstValue(PersonClaims.SsoIdentity),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var identity
            )
            && await services
                .GetRequiredService<SsoIdentities>()
                .MayActAsync(
                    identity,
                    principal.FindFirstValue(PersonClaims.PersonId),
                    principal.FindFirstValue(PersonClaims.LinkedStamp),
                    cancellationToken
                );
    }

    /// <summary>
    /// Whether the person may act under <paramref name="policy"/> now, read from the store rather than the claims, so a
    /// role taken away since sign-in counts at once.
    /// </summary>
    public async Task<bool> MayActNowAsync(ClaimsPrincipal principal, string policy)
    {
        string[] allowed = policy switch
        {
            Policies.Admin => [Roles.Admin],
            Policies.Record => [Roles.Approver, Roles.Admin],
            _ => [.. Roles.All],
        };
        if (!await StillSignedInAsync(principal))
            return false;
        await using var scope = scopes.CreateAsyncScope();
        var stampClaim = scope
            .ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>()
            .Value.ClaimsIdentity.SecurityStampClaimType;
        if (!principal.HasClaim(c => c.Type == stampClaim))
            return allowed.Any(principal.IsInRole);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var current = await users.GetRolesAsync((await users.GetUserAsync(principal))!);
        return allowed.Any(current.Contains);
    }

    public Task<OperationResult<string>> CreateAsync(string? email, string? role, string? password, AuditActor actor) =>
        WithUsersAsync(users => CreateAsync(users, email, role, password, actor));

    private async Task<OperationResult<string>> CreateAsync(
        UserManager<ReleaseBoardUser> users,
        string? email,
        string? role,
        string? password,
        AuditActor actor
    )
    {
        email = email?.Trim();
        var parsedRole = Roles.Parse(role);
        if (string.IsNullOrEmpty(email) || !email.Contains('@'))
            return OperationResult<string>.Fail("email", "Give an email address.");
        if (parsedRole is null)
            return OperationResult<string>.Fail("role", $"The role is one of {string.Join(", ", Roles.All)}.");
        if (string.IsNullOrEmpty(password))
            return OperationResult<string>.Fail("password", "Give a password.");
        if (await users.FindByEmailAsync(email) is not null)
            return OperationResult<string>.Fail("email", $"A user {email} exists already.");

        await EnsureRolesAsync();
        var user = new ReleaseBoardUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return OperationResult<string>.Fail("password", Describe(created));
        await users.AddToRoleAsync(user, parsedRole);
        await AuditAsync(actor, "user.created", email, after: parsedRole);
        return OperationResult<string>.Ok(user.Id);
    }

    public Task<OperationResult<bool>> ResetPasswordAsync(string? email, string? password, AuditActor actor) =>
        WithUsersAsync(users => ResetPasswordAsync(users, email, password, actor));

    private async Task<OperationResult<bool>> ResetPasswordAsync(
        UserManager<ReleaseBoardUser> users,
        string? email,
        string? password,
        AuditActor actor
    )
    {
        var user = await users.FindByEmailAsync(email?.Trim() ?? "");
        if (user is null)
            return OperationResult<bool>.Fail("email", $"There is no user {email}.");
        if (string.IsNullOrEmpty(password))
            return OperationResult<bool>.Fail("password", "Give a password.");

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded)
            return OperationResult<bool>.Fail("password", Describe(reset));
        if (user.LockoutEnd != Disabled)
            await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await AuditAsync(actor, "user.password-reset", user.Email!, after: null, revokes: true);
        return OperationResult<bool>.Ok(true);
    }

    /// <summary>
    /// A signed-in person changes their own password, knowing the current one; other sessions end. Done with the
    /// caller's <paramref name="users"/> (its request's), so the account it holds carries the new security stamp for
    /// signing this browser in again.
    /// </summary>
    public async Task<OperationResult<bool>> ChangeOwnPasswordAsync(
        UserManager<ReleaseBoardUser> users,
        ClaimsPrincipal principal,
        string? current,
        string? password
    )
    {
        if (!await StillSignedInAsync(principal) || await users.GetUserAsync(principal) is not { } user)
            return OperationResult<bool>.Fail("current", "Only a local account signed in now changes its password.");
        if (string.IsNullOrEmpty(current) || string.IsNullOrEmpty(password))
            return OperationResult<bool>.Fail("password", "Give your current password and the new one.");
        var changed = await users.ChangePasswordAsync(user, current, password);
        if (!changed.Succeeded)
            return changed.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch))
                ? OperationResult<bool>.Fail("current", "The current password is not right.")
                : OperationResult<bool>.Fail("password", Describe(changed));
        await AuditAsync(
            AuditActor.User(user.Id, user.Email!),
            "user.password-changed",
            user.Email!,
            after: null,
            revokes: true
        );
        return OperationResult<bool>.Ok(true);
    }

    public Task<OperationResult<bool>> SetRoleAsync(string? email, string? role, AuditActor actor)
    {
        var parsedRole = Roles.Parse(role);
        if (parsedRole is null)
            return Task.FromResult(
                OperationResult<bool>.Fail("role", $"The role is one of {string.Join(", ", Roles.All)}.")
            );
        return ChangeGuardingLastAdminAsync(
            email,
            actor,
            "user.role-changed",
            takesAdminAway: current => current.Contains(Roles.Admin) && parsedRole != Roles.Admin,
            change: async (users, user, current) =>
            {
                await users.RemoveFromRolesAsync(user, current);
                await users.AddToRoleAsync(user, parsedRole);
                return (string.Join(",", current), parsedRole);
            }
        );
    }

    /// <summary>
    /// A disabled account cannot sign in and its open pages stop acting; enabling lets it sign in again.
    /// </summary>
    public Task<OperationResult<bool>> SetDisabledAsync(string? email, bool disabled, AuditActor actor) =>
        ChangeGuardingLastAdminAsync(
            email,
            actor,
            disabled ? "user.disabled" : "user.enabled",
            takesAdminAway: current => disabled && current.Contains(Roles.Admin),
            change: async (users, user, _) =>
            {
                await users.SetLockoutEnabledAsync(user, true);
                await users.SetLockoutEndDateAsync(user, disabled ? Disabled : null);
                return (null, disabled ? "disabled" : "enabled");
            }
        );

    /// <summary>
    /// Serializable, counting the other admins inside: two Admins demoting each other at once leave one (SQLite makes
    /// the second wait; SQL Server makes one the retried deadlock victim).
    /// </summary>
    private async Task<OperationResult<bool>> ChangeGuardingLastAdminAsync(
        string? email,
        AuditActor actor,
        string action,
        Func<IList<string>, bool> takesAdminAway,
        Func<
            UserManager<ReleaseBoardUser>,
            ReleaseBoardUser,
            IList<string>,
            Task<(string? Before, string? After)>
        > change
    )
    {
        await EnsureRolesAsync();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ReleaseBoardUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ReleaseBoardDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable);
            var user = await users.FindByEmailAsync(email?.Trim() ?? "");
            if (user is null)
                return OperationResult<bool>.Fail("email", $"There is no user {email}.");
            var current = await users.GetRolesAsync(user);
            if (takesAdminAway(current) && await OtherActiveAdminsAsync(db, user.Id) == 0)
                return OperationResult<bool>.Fail("role", "This is the last admin; make someone else an admin first.");
            var (before, after) = await change(users, user, current);
            // Signs the user's other sessions out of their old rights, here and on every instance.
            await users.UpdateSecurityStampAsync(user);
            var now = clock.GetUtcNow().UtcDateTime;
            db.AuditEntries.Add(
                new AuditEntry
                {
                    At = now,
                    ActorKind = actor.Kind,
                    Actor = actor.Name,
                    ActorId = actor.Id,
                    Action = action,
                    Subject = $"user/{user.Email}",
                    Before = before,
                    After = after,
                }
            );
            await AccessRevocation.MarkAsync(db, now, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return OperationResult<bool>.Ok(true);
        });
        if (result.Succeeded)
            revocation.Announce();
        return result;
    }

    /// <summary>
    /// Admins other than <paramref name="except"/> who can still sign in, counted in the caller's transaction.
    /// </summary>
    private async Task<int> OtherActiveAdminsAsync(ReleaseBoardDbContext db, string except)
    {
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync();
        var admins = await db
            .UserRoles.Where(ur => ur.RoleId == adminRole && ur.UserId != except)
            .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u.LockoutEnd)
            .ToListAsync();
        var now = clock.GetUtcNow();
        return admins.Count(end => end is null || end <= now);
    }

    public Task<IReadOnlyList<UserSummary>> ListAsync() => WithUsersAsync(ListAsync);

    private async Task<IReadOnlyList<UserSummary>> ListAsync(UserManager<ReleaseBoardUser> users)
    {
        var now = clock.GetUtcNow();
        var result = new List<UserSummary>();
        foreach (var user in await users.Users.OrderBy(u => u.Email).ToListAsync())
        {
            var role = (await users.GetRolesAsync(user)).FirstOrDefault();
            result.Add(
                new UserSummary(
                    user.Id,
                    user.Email ?? user.UserName ?? "",
                    role,
                    user.LockoutEnd > now,
                    user.LockoutEnd == Disabled,
                    user.CreatedAt
                )
            );
        }
        return result;
    }

    private async Task AuditAsync(
        AuditActor actor,
        string action,
        string subject,
        string? after,
        string? before = null,
        bool revokes = false
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = now,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = action,
                Subject = $"user/{subject}",
                Before = before,
                After = after,
            }
        );
        if (revokes)
            await AccessRevocation.MarkAsync(db, now, CancellationToken.None);
        await db.SaveChangesAsync();
        if (revokes)
            revocation.Announce();
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
