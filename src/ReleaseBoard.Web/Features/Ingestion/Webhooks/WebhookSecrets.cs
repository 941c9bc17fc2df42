using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Ingestion.Webhooks;

/// <summary>Each tool's name on the command line and in messages.</summary>
public static class WebhookTools
{
    public static readonly IReadOnlyDictionary<string, WebhookTool> ByName = new Dictionary<string, WebhookTool>(
        StringComparer.OrdinalIgnoreCase
    )
    {
        ["github"] = WebhookTool.GitHub,
        ["pagerduty"] = WebhookTool.PagerDuty,
        ["flagger"] = WebhookTool.Flagger,
        ["argo-rollouts"] = WebhookTool.ArgoRollouts,
        ["catch"] = WebhookTool.Catch,
    };

    public static string Name(this WebhookTool tool) => ByName.Single(p => p.Value == tool).Key;
}

public sealed record WebhookSecretSummary(
    int Id,
    WebhookTool Tool,
    string SpeaksFor,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RevokedAt,
    DateTime? LastUsedAt
);

/// <summary>An active secret, readable for verifying, with what it may speak for.</summary>
public sealed record WebhookSigner(
    int Id,
    string Secret,
    string? Repository,
    int? ServiceId,
    int? TeamId,
    string SpeaksFor
)
{
    /// <summary>
    /// Whether a delivery about <paramref name="service"/> (from <paramref name="repository"/>) is its owner's.
    /// </summary>
    public bool SpeaksForService(ResolvedService service, string? repository = null) =>
        TeamId == service.TeamId
        || ServiceId == service.Id
        || (Repository is not null && string.Equals(Repository, repository, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Webhook secrets bound by an Admin to what they speak for, protected by Data Protection (keys in the database, so
/// every instance verifies) and never shown after they are added.
/// </summary>
public sealed class WebhookSecrets(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    IDataProtectionProvider protection,
    TimeProvider clock
)
{
    private const string Purpose = "ReleaseBoard.WebhookSecrets.v1";
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private const int MinimumLength = 16;

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    /// <summary>
    /// Adds a secret that speaks for exactly one of <paramref name="repository"/> (GitHub), <paramref name="service"/>
    /// (the other tools; a slug, or "team/service" where two teams use it) or <paramref name="team"/>. Without
    /// <paramref name="secret"/> one is generated and returned, this once (PagerDuty generates its own: paste it).
    /// </summary>
    public async Task<OperationResult<string?>> AddAsync(
        WebhookTool tool,
        string? repository,
        string? service,
        string? team,
        string? secret,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        var scopes = new[] { repository, service, team }.Count(s => !string.IsNullOrWhiteSpace(s));
        if (scopes != 1)
            return Fail(
                "scope",
                tool == WebhookTool.GitHub
                    ? "Say what the secret speaks for: one repository (owner/name) or one team."
                    : "Say what the secret speaks for: one service or one team."
            );
        if (tool == WebhookTool.GitHub && !string.IsNullOrWhiteSpace(service))
            return Fail("scope", "A GitHub secret speaks for a repository or a team.");
        if (tool != WebhookTool.GitHub && !string.IsNullOrWhiteSpace(repository))
            return Fail("scope", $"A {tool} secret speaks for a service or a team.");
        if (tool == WebhookTool.PagerDuty && string.IsNullOrWhiteSpace(secret))
            return Fail("secret", "PagerDuty makes the secret when the subscription is created: give that one.");
        if (secret is not null && secret.Trim().Length < MinimumLength)
            return Fail("secret", $"A webhook secret has at least {MinimumLength} characters.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = new WebhookSecret
        {
            Tool = tool,
            ProtectedSecret = "",
            CreatedBy = actor.Name,
        };
        string speaksFor;
        if (!string.IsNullOrWhiteSpace(repository))
        {
            var name = repository.Trim().ToLowerInvariant();
            if (
                !await db.Services.AnyAsync(
                    s => s.Repository != null && s.Repository.ToLower() == name,
                    cancellationToken
                )
            )
                return Fail("repository", $"No service names the repository \"{repository}\" (set it in the catalog).");
            (entry.Repository, speaksFor) = (name, $"repository {name}");
        }
        else if (!string.IsNullOrWhiteSpace(team))
        {
            var found = await db
                .Teams.Where(t => t.Slug == team.Trim())
                .Select(t => (int?)t.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (found is null)
                return Fail("team", $"There is no team \"{team}\".");
            (entry.TeamId, speaksFor) = (found, $"team {team.Trim()}");
        }
        else
        {
            var (found, problem) = await FindServiceAsync(db, service!.Trim(), cancellationToken);
            if (found is null)
                return Fail("service", problem!);
            (entry.ServiceId, speaksFor) = (found.Value.Id, $"service {found.Value.Name}");
        }

        var clear = secret?.Trim() ?? SecretToken.Create("rbw_");
        entry.ProtectedSecret = Protector.Protect(clear);
        entry.CreatedAt = clock.GetUtcNow().UtcDateTime;
        db.WebhookSecrets.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = entry.CreatedAt,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "webhook-secret.added",
                Subject = $"webhook-secret/{entry.Id}",
                After = $"{tool} for {speaksFor}",
                TeamId = entry.TeamId,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<string?>.Ok(secret is null ? clear : null);
    }

    public async Task<OperationResult<bool>> RevokeAsync(
        int id,
        AuditActor actor,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.WebhookSecrets.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (entry is null)
            return OperationResult<bool>.Fail("id", $"There is no webhook secret {id}.");
        if (entry.RevokedAt is not null)
            return OperationResult<bool>.Fail("id", $"Webhook secret {id} is revoked already.");
        entry.RevokedAt = clock.GetUtcNow().UtcDateTime;
        db.AuditEntries.Add(
            new AuditEntry
            {
                At = entry.RevokedAt.Value,
                ActorKind = actor.Kind,
                Actor = actor.Name,
                ActorId = actor.Id,
                Action = "webhook-secret.revoked",
                Subject = $"webhook-secret/{id}",
                TeamId = entry.TeamId,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    public async Task<IReadOnlyList<WebhookSecretSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .WebhookSecrets.AsNoTracking()
            .OrderBy(s => s.Tool)
            .ThenBy(s => s.Id)
            .Select(s => new
            {
                s.Id,
                s.Tool,
                s.Repository,
                Service = s.Service == null ? null : s.Service.Team.Slug + "/" + s.Service.Slug,
                Team = s.Team == null ? null : s.Team.Slug,
                s.CreatedAt,
                s.CreatedBy,
                s.RevokedAt,
                s.LastUsedAt,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new WebhookSecretSummary(
                r.Id,
                r.Tool,
                SpeaksFor(r.Repository, r.Service, r.Team),
                r.CreatedAt,
                r.CreatedBy,
                r.RevokedAt,
                r.LastUsedAt
            ))
            .ToList();
    }

    /// <summary>The active secrets of a tool, unprotected, each with what it speaks for.</summary>
    public async Task<IReadOnlyList<WebhookSigner>> SignersAsync(WebhookTool tool, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .WebhookSecrets.AsNoTracking()
            .Where(s => s.Tool == tool && s.RevokedAt == null)
            .Select(s => new
            {
                s.Id,
                s.ProtectedSecret,
                s.Repository,
                s.ServiceId,
                s.TeamId,
                Service = s.Service == null ? null : s.Service.Team.Slug + "/" + s.Service.Slug,
                Team = s.Team == null ? null : s.Team.Slug,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new WebhookSigner(
                r.Id,
                Protector.Unprotect(r.ProtectedSecret),
                r.Repository,
                r.ServiceId,
                r.TeamId,
                SpeaksFor(r.Repository, r.Service, r.Team)
            ))
            .ToList();
    }

    /// <summary>Records that a secret verified a delivery, at most once a minute.</summary>
    public async Task TouchAsync(int id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - LastUsedResolution;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db
            .WebhookSecrets.Where(s => s.Id == id && (s.LastUsedAt == null || s.LastUsedAt < since))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastUsedAt, now), cancellationToken);
    }

    private static string SpeaksFor(string? repository, string? service, string? team) =>
        repository is not null ? $"repository {repository}"
        : service is not null ? $"service {service}"
        : $"team {team}";

    private static async Task<((int Id, string Name)? Service, string? Problem)> FindServiceAsync(
        ReleaseBoardDbContext db,
        string name,
        CancellationToken cancellationToken
    )
    {
        var parts = name.Split('/', 2);
        var (team, slug) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
        var matches = await db
            .Services.Where(s => s.Slug == slug && (team == null || s.Team.Slug == team))
            .Select(s => new { s.Id, Name = s.Team.Slug + "/" + s.Slug })
            .Take(5)
            .ToListAsync(cancellationToken);
        return matches.Count switch
        {
            1 => ((matches[0].Id, matches[0].Name), null),
            0 => (null, $"There is no service \"{name}\"."),
            _ => (null, $"\"{name}\" names a service in several teams: say which, as team/service."),
        };
    }

    private static OperationResult<string?> Fail(string field, string message) =>
        OperationResult<string?>.Fail(field, message);
}
