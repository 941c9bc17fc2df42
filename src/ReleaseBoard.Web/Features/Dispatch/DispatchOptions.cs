namespace ReleaseBoard.Web.Features.Dispatch;

/// <summary>
/// How often eligibility is looked for and the outbox is sent, and how hard a failing receiver is tried.
/// </summary>
public sealed class DispatchOptions
{
    public const string SectionName = "Dispatch";

    /// <summary>A soak ending or a window opening is noticed within this.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an instance holds a message it sends; another takes over only after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts on timeouts and 5xx before the message is dead-lettered. The backoff doubles from FirstRetry up to 10
    /// minutes, so the default 20 keeps trying for about two hours: a receiver down for an hour gets everything.
    /// </summary>
    public int MaxAttempts { get; set; } = 20;

    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>GitHub's REST API (GitHub Enterprise: https://host/api/v3) and a token with actions:write.</summary>
    public GitHubDispatchOptions GitHub { get; set; } = new();

    /// <summary>GitLab's address (self-managed: its own); trigger tokens are per target.</summary>
    public GitLabDispatchOptions GitLab { get; set; } = new();
}

public sealed class GitHubDispatchOptions
{
    public string BaseUrl { get; set; } = "https://api.github.com";
    public string? Token { get; set; }
}

public sealed class GitLabDispatchOptions
{
    public string BaseUrl { get; set; } = "https://gitlab.com";
}
