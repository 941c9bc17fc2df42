namespace ReleaseBoard.Web.Features.Promotion;

/// <summary>
/// Why a promotion change was refused: the stable codes pipelines and pages match on (the API's problem "code").
/// The API maps them to HTTP statuses in <see cref="PromotionEndpoints"/>.
/// </summary>
public static class PromotionRefusals
{
    /// <summary>The caller may not make this change (a key, a Viewer, a role taken away since sign-in): 403.</summary>
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string ReasonRequired = "reason-required";
    public const string OverrideRequired = "override-required";
    public const string AlreadyContinuous = "already-continuous";
    public const string AlreadyApproved = "already-approved";
    public const string RequestPending = "request-pending";
    public const string OwnRequest = "own-request";
    public const string NotAllowed = "not-allowed";
    public const string EvidenceChanged = "evidence-changed";
    public const string Expired = "expired";
    public const string Closed = "closed";

    /// <summary>Someone changed the environment between reading and acting (409, or 412 with If-Match).</summary>
    public const string ChangedMeanwhile = "changed-meanwhile";
}
