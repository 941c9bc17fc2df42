using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

public sealed record SsoIdentitySummary(
    int Id,
    string Issuer,
    string Subject,
    string? Email,
    bool EmailVerified,
    string? LinkedEmail,
    bool Blocked,
    DateTime LastSignInAt
);

/// <summary>
/// What a single sign-on may become: a person with a stable id, or a refusal with a code the login page explains.
/// </summary>
public abstract record SsoSignIn
{
    /// <summary>
    /// Signed in as <paramref name="PersonId"/>; with a linked local account, that account's security stamp and role
    /// (the session holds no more than it).
    /// </summary>
    public sealed record Allowed(int IdentityId, string PersonId, string? LinkedStamp = null, string? LinkedRole = null)
        : SsoSignIn;

    public sealed record Refused(string Code) : SsoSignIn;

    public const string Unlinked = "unlinked-account";
    public const string Blocked = "blocked";
}

/// <summary>
/// SSO identities by issuer and subject. They are a local account's person only when an Admin links them or the
/// provider verified the email: else anyone who can set that email at the provider could sign in as its owner.
/// </summary>
public sealed class SsoIdentities(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    TimeProvider clock,
    AccessRevocation revocation
)
{
    public async Task<SsoSignIn> SignInAsync(
        string issuer,
        string subject,
        string? email,
        bool emailVerified,
        string? name,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var identity = await db.SsoIdentities.SingleOrDefaultAsync(
            i => i.Issuer == issuer && i.Subject == subject,
            cancellationToken
        );
        if (identity is null)
            db.SsoIdentities.Add(
                identity = new SsoIdentity
                {
                    Issuer = issuer,
                    Subject = subject,
                    FirstSeenAt = now,
                }
            );
        (identity.Email, identity.EmailVerified, identity.Name, identity.LastSignInAt) = (
            StoredText.Clip(email, 256),
            emailVerified,
            StoredText.Clip(name, 200),
            now
        );

        SsoSignIn answer;
        if (identity.BlockedAt is not null)
            answer = new SsoSignIn.Refused(SsoSignIn.Blocked);
        else
        {
            if (identity.LinkedUserId is null && email is not null)
            {
                var normalized = email.Trim().ToUpperInvariant();
                var account = await db
                    .Users.Where(u => u.NormalizedEmail == normalized)
                    .Select(u => u.Id)
                    .FirstOrDefaultAsync(cancellationToken);
                if (account is not null && emailVerified)
                {
                    identity.LinkedUserId = account;
                    db.AuditEntries.Add(
                        Audit(
                            AuditActor.System,
                            "sso.linked",
                            identity,
                            now,
                            $"linked to {email} (the provider verified the email)"
                        )
                    );
                }
                else if (account is not null)
                {
                    await db.SaveChangesAsync(cancellationToken); // kept, so an Admin can link it
                    return new SsoSignIn.Refused(SsoSignIn.Unlinked);
                }
            }
            var linked = identity.LinkedUserId is { } id ? await LinkedAccountAsync(db, id, cancellationToken) : null;
            answer = linked is { Disabled: true }
                ? new SsoSignIn.Refused(SsoSignIn.Blocked)
                : new SsoSignIn.Allowed(
                    0,
                    identity.LinkedUserId ?? AccessSetup.SsoPersonId(issuer, subject),
                    linked?.Stamp,
                    linked is null ? null : Roles.Greatest(linked.Roles) ?? Roles.Viewer
                );
        }
        await db.SaveChangesAsync(cancellationToken);
        // The identity's id is known once it is stored.
        return answer is SsoSignIn.Allowed allowed ? allowed with { IdentityId = identity.Id } : answer;
    }

    /// <summary>
    /// Whether a session of this identity still stands: not blocked, still the same person (linking changes who), and a
    /// linked account neither disabled nor changed since (its security stamp).
    /// </summary>
    public async Task<bool> MayActAsync(
        int identityId,
        string? personId,
        string? linkedStamp,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var identity = await db
            .SsoIdentities.AsNoTracking()
            .Where(i => i.Id == identityId)
            .Select(i => new
            {
                i.BlockedAt,
                i.LinkedUserId,
                i.Issuer,
                i.Subject,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (
            identity is not { BlockedAt: null }
            || personId != (identity.LinkedUserId ?? AccessSetup.SsoPersonId(identity.Issuer, identity.Subject))
        )
            return false;
        if (identity.LinkedUserId is not { } linked)
            return linkedStamp is null;
        var account = await LinkedAccountAsync(db, linked, cancellationToken);
        return account is { Disabled: false } && account.Stamp == linkedStamp;
    }

    private sealed record LinkedAccount(bool Disabled, string? Stamp, List<string> Roles);

    // Disabled is compared here, not in SQL: SQLite stores Identity's DateTimeOffset lockout as text.
    private static async Task<LinkedAccount?> LinkedAccountAsync(
        ReleaseBoardDbContext db,
        string userId,
        CancellationToken cancellationToken
    )
    {
        var user = await db
            .Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new { u.LockoutEnd, u.SecurityStamp })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
            return new LinkedAccount(true, null, []);
        var roles = await db
            .UserRoles.Where(ur => ur.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(cancellationToken);
        return new LinkedAccount(UserAdministration.IsDisabled(user.LockoutEnd), user.SecurityStamp, roles);
    }

    public async Task<IReadOnlyList<SsoIdentitySummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db
            .SsoIdentities.AsNoTracking()
            .OrderBy(i => i.Email)
            .ThenBy(i => i.Id)
            .Select(i => new SsoIdentitySummary(
                i.Id,
                i.Issuer,
                i.Subject,
                i.Email,
                i.EmailVerified,
                i.LinkedUser == null ? null : i.LinkedUser.Email,
                i.BlockedAt != null,
                i.LastSignInAt
            ))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// An Admin says this identity and the local account with <paramref name="email"/> are one person.
    /// </summary>
    public Task<OperationResult<bool>> LinkAsync(int identityId, string? email, AuditActor actor) =>
        ChangeAsync(
            identityId,
            actor,
            "sso.linked",
            async (db, identity) =>
            {
                var normalized = email?.Trim().ToUpperInvariant() ?? "";
                var account = await db
                    .Users.Where(u => u.NormalizedEmail == normalized)
                    .Select(u => u.Id)
                    .FirstOrDefaultAsync();
                if (account is null)
                    return $"There is no local account {email}.";
                identity.LinkedUserId = account;
                return null;
            },
            $"linked to {email?.Trim()}"
        );

    public Task<OperationResult<bool>> UnlinkAsync(int identityId, AuditActor actor) =>
        ChangeAsync(
            identityId,
            actor,
            "sso.unlinked",
            (_, identity) =>
            {
                identity.LinkedUserId = null;
                return Task.FromResult<string?>(null);
            },
            "unlinked"
        );

    public Task<OperationResult<bool>> BlockAsync(int identityId, bool blocked, AuditActor actor) =>
        ChangeAsync(
            identityId,
            actor,
            blocked ? "sso.blocked" : "sso.unblocked",
            (_, identity) =>
            {
                identity.BlockedAt = blocked ? clock.GetUtcNow().UtcDateTime : null;
                return Task.FromResult<string?>(null);
            },
            blocked ? "blocked" : "unblocked"
        );

    private async Task<OperationResult<bool>> ChangeAsync(
        int identityId,
        AuditActor actor,
        string action,
        Func<ReleaseBoardDbContext, SsoIdentity, Task<string?>> change,
        string after
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var identity = await db.SsoIdentities.SingleOrDefaultAsync(i => i.Id == identityId);
        if (identity is null)
            return OperationResult<bool>.Fail("identity", "There is no such single-sign-on identity.");
        if (await change(db, identity) is { } problem)
            return OperationResult<bool>.Fail("email", problem);
        var now = clock.GetUtcNow().UtcDateTime;
        db.AuditEntries.Add(Audit(actor, action, identity, now, after));
        // Open pages of this identity check again at once (here, and on other instances at their next poll).
        await AccessRevocation.MarkAsync(db, now, CancellationToken.None);
        await db.SaveChangesAsync();
        revocation.Announce();
        return OperationResult<bool>.Ok(true);
    }

    private static AuditEntry Audit(
        AuditActor actor,
        string action,
        SsoIdentity identity,
        DateTime now,
        string after
    ) =>
        actor.Entry(
            now,
            action,
            StoredText.Clip($"sso-identity/{identity.Issuer}#{identity.Subject}", 200)!,
            after: $"{identity.Email}: {after}"
        );
}
