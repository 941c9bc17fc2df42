using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;
using ReleaseBoard.Data.Entities;
using ReleaseBoard.Web.Api;

namespace ReleaseBoard.Web.Features.Ingestion;

/// <summary>Projections of stored events to what the API answers, and the filtered, paged lists.</summary>
public static class EventQueries
{
    public const int MaxPageSize = 500;

    public static IQueryable<DeploymentItem> DeploymentItems(IQueryable<Deployment> deployments) =>
        deployments.Select(d => new DeploymentItem(
            d.Id,
            d.Service.Team.Slug,
            d.Service.Slug,
            d.Environment.Name,
            d.Version,
            d.CommitSha,
            d.CommitAt,
            d.StartedAt,
            d.FinishedAt,
            d.Outcome,
            d.Kind,
            d.RollsBackDeployment == null ? null : d.RollsBackDeployment.ExternalId,
            d.Trigger,
            d.Source,
            d.ExternalId,
            d.FixesIncident == null ? null : new EventReference(d.FixesIncident.Source, d.FixesIncident.ExternalId)
        ));

    public static IQueryable<IncidentItem> IncidentItems(IQueryable<Incident> incidents) =>
        incidents.Select(i => new IncidentItem(
            i.Id,
            i.Service.Team.Slug,
            i.Service.Slug,
            i.Severity,
            i.Title,
            i.ImpactStartedAt,
            i.DetectedAt,
            i.ResolvedAt,
            i.CausingDeployment == null
                ? null
                : new EventReference(i.CausingDeployment.Source, i.CausingDeployment.ExternalId),
            i.Link,
            i.Source,
            i.ExternalId
        ));

    public static IQueryable<CatchItem> CatchItems(IQueryable<Catch> catches) =>
        catches.Select(c => new CatchItem(
            c.Id,
            c.Service.Team.Slug,
            c.Service.Slug,
            c.Environment.Name,
            c.Severity,
            c.Title,
            c.Description,
            c.Version,
            c.CaughtAt,
            c.ReportedBy,
            c.Source,
            c.ExternalId,
            c.Link
        ));

    public sealed record ListQuery(
        string? Team,
        string? Service,
        DateTimeOffset? From,
        DateTimeOffset? To,
        int? Page,
        int? PageSize
    );

    public static Dictionary<string, string[]> Validate(ListQuery query)
    {
        var errors = new FieldErrors();
        if (query.Page is < 1)
            errors.Add("page", "page starts at 1.");
        if (query.PageSize is < 1 or > MaxPageSize)
            errors.Add("pageSize", $"pageSize is 1 to {MaxPageSize}.");
        errors.NotBefore("to", query.To, "from", query.From);
        return errors.Errors;
    }

    /// <summary>One page, newest first, ordered by the event's main time.</summary>
    public static async Task<PageOf<TItem>> PageAsync<TEntity, TItem>(
        IQueryable<TEntity> filtered,
        System.Linq.Expressions.Expression<Func<TEntity, DateTime>> mainTime,
        Func<IQueryable<TEntity>, IQueryable<TItem>> project,
        ListQuery query,
        CancellationToken cancellationToken
    )
    {
        var page = query.Page ?? 1;
        var size = query.PageSize ?? 100;
        var total = await filtered.CountAsync(cancellationToken);
        var items = await project(filtered.OrderByDescending(mainTime).Skip((page - 1) * size).Take(size))
            .ToListAsync(cancellationToken);
        return new PageOf<TItem>(items, page, size, total);
    }
}
