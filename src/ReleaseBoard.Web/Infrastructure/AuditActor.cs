using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Who did something, as the audit trail records it: a stable <paramref name="Id"/> (a local user's id, an SSO
/// identity's issuer and subject, an API key's id) that four eyes compare, and the <paramref name="Name"/> people read.
/// </summary>
public sealed record AuditActor(AuditActorKind Kind, string Name, string Id)
{
    /// <summary>
    /// A person using a page before sign-in exists. Free text a person typed (such as "caught by") is never used
    /// as the actor, because it proves nothing about who acted.
    /// </summary>
    public static readonly AuditActor AnonymousUser = new(AuditActorKind.User, "anonymous (no sign-in)", "anonymous");

    public static readonly AuditActor System = new(AuditActorKind.System, "system", "system");

    /// <summary>
    /// An operator at the command line: a person with access to the host, acting outside any sign-in.
    /// </summary>
    public static readonly AuditActor CommandLine = new(AuditActorKind.System, "command line", "command-line");

    public static AuditActor User(string id, string name) => new(AuditActorKind.User, name, id);

    /// <summary>An audit entry of this actor: what it did, to what, and the change as people read it.</summary>
    public AuditEntry Entry(
        DateTime at,
        string action,
        string subject,
        int? teamId = null,
        string? before = null,
        string? after = null,
        string? reason = null
    ) =>
        new()
        {
            At = at,
            ActorKind = Kind,
            Actor = Name,
            ActorId = Id,
            Action = action,
            Subject = subject,
            TeamId = teamId,
            Before = before,
            After = after,
            Reason = reason,
        };
}

/// <summary>Text cut to the column it is stored in, so a long message never fails the write that records it.</summary>
public static class StoredText
{
    public static string? Clip(string? value, int max) =>
        value is { Length: > 0 } v && v.Length > max ? v[..max] : value;
}
