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
}
