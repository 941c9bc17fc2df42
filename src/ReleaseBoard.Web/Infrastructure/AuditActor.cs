using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>Who did something, as the audit trail records it.</summary>
public sealed record AuditActor(AuditActorKind Kind, string Name)
{
    /// <summary>
    /// A person using a page before sign-in exists. Free text a person typed (such as "caught by") is never used
    /// as the actor, because it proves nothing about who acted.
    /// </summary>
    public static readonly AuditActor AnonymousUser = new(AuditActorKind.User, "anonymous (no sign-in)");

    public static readonly AuditActor System = new(AuditActorKind.System, "system");

    public static AuditActor User(string name) => new(AuditActorKind.User, name);
}
