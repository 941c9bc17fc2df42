using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Dispatch;

public sealed record DispatchTargetRow(int EnvironmentId, string Where, PromotionActionKind Kind, string Target);

/// <summary>
/// Where each environment's promotion is started. Policy like the windows: set by an operator (command line), removed
/// by an Admin or an operator, audited; the signing secret is protected and shown once, when it is made.
/// </summary>
public sealed partial class DispatchTargets(
    IDbContextFactory<ReleaseBoardDbContext> dbFactory,
    IDataProtectionProvider protection,
    TimeProvider clock
)
{
    private const string Purpose = "ReleaseBoard.PromotionActions";

    internal string Unprotect(string protectedSecret) => protection.CreateProtector(Purpose).Unprotect(protectedSecret);

    /// <summary>
    /// Sets the environment's receiver; returns the new secret when one was generated (shown this once).
    /// </summary>
    public async Task<OperationResult<string?>> SetHttpAsync(
        AuditActor actor,
        int environmentId,
        string? url,
        string? secret,
        CancellationToken cancellationToken = default
    )
    {
        if (!ReceiverAddress.TryParse(url, out var target))
            return OperationResult<string?>.Fail("url", "Give the receiver's absolute http(s) address.");
        if (DispatchSignature.Weak(secret) is { } weak)
            return OperationResult<string?>.Fail("secret", weak);
        var generated = secret is null ? SecretToken.Create("rbs_") : null;
        var saved = await SaveAsync(
            actor,
            environmentId,
            action =>
            {
                (action.Kind, action.Url, action.Repository, action.Workflow, action.Ref) = (
                    PromotionActionKind.Http,
                    target.ToString(),
                    null,
                    null,
                    null
                );
                action.ProtectedSecret = protection.CreateProtector(Purpose).Protect(secret ?? generated!);
            },
            cancellationToken
        );
        return saved.Succeeded
            ? OperationResult<string?>.Ok(generated)
            : OperationResult<string?>.Fail(saved.ErrorField!, saved.Error!);
    }

    /// <summary>GitHub Actions: a workflow_dispatch of the workflow on the ref.</summary>
    public Task<OperationResult<bool>> SetGitHubAsync(
        AuditActor actor,
        int environmentId,
        string? repository,
        string? workflow,
        string? gitRef,
        CancellationToken cancellationToken = default
    )
    {
        if (repository is null || !RepositoryPattern().IsMatch(repository.Trim()))
            return Task.FromResult(OperationResult<bool>.Fail("repository", "Give the repository as owner/name."));
        if (string.IsNullOrWhiteSpace(workflow) || workflow.Trim().Length > 200 || workflow.Contains('/'))
            return Task.FromResult(
                OperationResult<bool>.Fail("workflow", "Give the workflow's file name (deploy.yml) or id.")
            );
        if (string.IsNullOrWhiteSpace(gitRef) || gitRef.Trim().Length > 200)
            return Task.FromResult(OperationResult<bool>.Fail("ref", "Give the branch or tag it runs on."));
        return SaveAsync(
            actor,
            environmentId,
            action =>
            {
                (action.Kind, action.Url, action.Repository, action.Workflow, action.Ref) = (
                    PromotionActionKind.GitHubWorkflow,
                    "",
                    repository.Trim(),
                    workflow.Trim(),
                    gitRef.Trim()
                );
                action.ProtectedSecret = "";
            },
            cancellationToken
        );
    }

    /// <summary>GitLab: a pipeline trigger of <paramref name="project"/> on <paramref name="gitRef"/>.</summary>
    public Task<OperationResult<bool>> SetGitLabAsync(
        AuditActor actor,
        int environmentId,
        string? project,
        string? gitRef,
        string? triggerToken,
        CancellationToken cancellationToken = default
    )
    {
        if (string.IsNullOrWhiteSpace(project) || project.Trim().Length > 200)
            return Task.FromResult(OperationResult<bool>.Fail("project", "Give the project's id or path."));
        if (string.IsNullOrWhiteSpace(gitRef) || gitRef.Trim().Length > 200)
            return Task.FromResult(OperationResult<bool>.Fail("ref", "Give the branch or tag it runs on."));
        if (string.IsNullOrWhiteSpace(triggerToken) || triggerToken.Trim().Length > 500)
            return Task.FromResult(OperationResult<bool>.Fail("token", "Give the project's pipeline trigger token."));
        return SaveAsync(
            actor,
            environmentId,
            action =>
            {
                (action.Kind, action.Url, action.Repository, action.Workflow, action.Ref) = (
                    PromotionActionKind.GitLabPipeline,
                    "",
                    project.Trim(),
                    null,
                    gitRef.Trim()
                );
                action.ProtectedSecret = protection.CreateProtector(Purpose).Protect(triggerToken.Trim());
            },
            cancellationToken
        );
    }

    private async Task<OperationResult<bool>> SaveAsync(
        AuditActor actor,
        int environmentId,
        Action<PromotionAction> apply,
        CancellationToken cancellationToken
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var environment = await db
            .Environments.Where(e => e.Id == environmentId)
            .Select(e => new
            {
                e.Id,
                Where = e.Service.Team.Slug + "/" + e.Service.Slug + "/" + e.Name,
                e.Service.TeamId,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (environment is null)
            return OperationResult<bool>.Fail("environment", "There is no such environment.");
        var now = clock.GetUtcNow().UtcDateTime;
        var action = await db.PromotionActions.SingleOrDefaultAsync(
            a => a.EnvironmentId == environmentId,
            cancellationToken
        );
        var before = action is null ? null : Describe(action);
        if (action is null)
        {
            action = new PromotionAction
            {
                EnvironmentId = environmentId,
                Url = "",
                ProtectedSecret = "",
                CreatedBy = actor.Name,
            };
            db.PromotionActions.Add(action);
        }
        apply(action);
        (action.CreatedAt, action.CreatedBy) = (now, actor.Name);
        db.AuditEntries.Add(
            actor.Entry(
                now,
                "dispatch.target-set",
                $"environment/{environment.Id}",
                environment.TeamId,
                before,
                $"{environment.Where}: {Describe(action)}"
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    /// <summary>A target as it may be shown and audited: never a secret, token or query.</summary>
    public static string Describe(PromotionAction action) =>
        action.Kind switch
        {
            PromotionActionKind.GitHubWorkflow => $"GitHub {action.Repository} {action.Workflow} on {action.Ref}",
            PromotionActionKind.GitLabPipeline => $"GitLab {action.Repository} on {action.Ref}",
            _ => $"Http {ReceiverAddress.Shown(action.Url)}",
        };

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex RepositoryPattern();

    public async Task<IReadOnlyList<DispatchTargetRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (
            await db
                .PromotionActions.AsNoTracking()
                .OrderBy(a => a.EnvironmentId)
                .Select(a => new
                {
                    a.EnvironmentId,
                    Where = a.Environment.Service.Team.Slug
                        + "/"
                        + a.Environment.Service.Slug
                        + "/"
                        + a.Environment.Name,
                    Action = a,
                })
                .ToListAsync(cancellationToken)
        ).Select(t => new DispatchTargetRow(t.EnvironmentId, t.Where, t.Action.Kind, Describe(t.Action))).ToList();
    }

    /// <summary>Stops starting this environment's promotions; a dispatch still owed is cancelled when due.</summary>
    public async Task<OperationResult<bool>> RemoveAsync(
        AuditActor actor,
        int environmentId,
        CancellationToken cancellationToken = default
    )
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var action = await db
            .PromotionActions.Include(a => a.Environment)
                .ThenInclude(e => e.Service)
            .SingleOrDefaultAsync(a => a.EnvironmentId == environmentId, cancellationToken);
        if (action is null)
            return OperationResult<bool>.Fail("environment", "That environment has no dispatch target.");
        db.PromotionActions.Remove(action);
        db.AuditEntries.Add(
            actor.Entry(
                clock.GetUtcNow().UtcDateTime,
                "dispatch.target-removed",
                $"environment/{environmentId}",
                action.Environment.Service.TeamId,
                before: Describe(action)
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }
}
