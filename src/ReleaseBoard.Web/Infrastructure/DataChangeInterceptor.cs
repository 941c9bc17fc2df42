using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Every write notifies once, when committed, whoever wrote it; on SQL Server it also moves the change stamp in the
/// same transaction, so a rollback leaves no trace for other instances.
/// </summary>
/// <remarks>It also counts what was committed for <see
/// cref="ReleaseBoardMetrics"/>: one place sees every writer.</remarks>
public sealed class DataChangeInterceptor(DataChangeNotifier notifier, ReleaseBoardMetrics? metrics = null)
    : SaveChangesInterceptor,
        IDbTransactionInterceptor
{
    /// <summary>A write on its way: what it stores, counted (and announced) once it is committed.</summary>
    private sealed class PendingWrite
    {
        public List<(string Kind, bool Created)> Events { get; } = [];
        public List<string> PromotionActions { get; } = [];

        /// <summary>The change stamps this write set (SQL Server), told to the poller once committed.</summary>
        public List<Guid> Stamps { get; } = [];
    }

    private readonly ConditionalWeakTable<DbContext, PendingWrite> _uncommittedWrites = new();
    private readonly ConditionalWeakTable<DbContext, PendingWrite> _saving = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default
    )
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        OnSaved(eventData.Context, result);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        OnSaved(eventData.Context, result);
        return ValueTask.FromResult(result);
    }

    // Contexts are pooled and reused: whatever a previous transaction left unsettled (disposed without a rollback, a
    // failed save, a failed commit) is forgotten when the next one starts, so it is never counted or announced.
    // (Only what waited for a commit: SaveChanges starts a transaction of its own after SavingChanges stamped it.)
    public DbTransaction TransactionStarted(
        DbConnection connection,
        TransactionEndEventData eventData,
        DbTransaction result
    )
    {
        ForgetUncommitted(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection,
        TransactionEndEventData eventData,
        DbTransaction result,
        CancellationToken cancellationToken = default
    )
    {
        ForgetUncommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void ForgetUncommitted(DbContext? context)
    {
        if (context is not null)
            _uncommittedWrites.Remove(context);
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        Forget(eventData.Context);

    public Task TransactionFailedAsync(
        DbTransaction transaction,
        TransactionErrorEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => ForgetSaving(eventData.Context);

    public override Task SaveChangesFailedAsync(
        DbContextErrorEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        ForgetSaving(eventData.Context);
        return Task.CompletedTask;
    }

    private void ForgetSaving(DbContext? context)
    {
        if (context is not null)
            _saving.Remove(context);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        OnCommitted(eventData.Context);

    public Task TransactionCommittedAsync(
        DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        OnCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Forget(eventData.Context);

    public Task TransactionRolledBackAsync(
        DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Notes what a write (anything added, changed or deleted) stores; on SQL Server it also carries a new change stamp
    /// value in the same SaveChanges.
    /// </summary>
    private void Stamp(DbContext? context)
    {
        if (context is null)
            return;
        var writes = context
            .ChangeTracker.Entries()
            .Where(e =>
                e.Entity is not ChangeStamp
                && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
            )
            .ToList();
        if (writes.Count == 0)
            return;
        var pending = new PendingWrite();
        foreach (var entry in writes)
        {
            var created = entry.State == EntityState.Added;
            switch (entry.Entity)
            {
                case Deployment when entry.State != EntityState.Deleted:
                    pending.Events.Add(("deployment", created));
                    break;
                case Incident when entry.State != EntityState.Deleted:
                    pending.Events.Add(("incident", created));
                    break;
                case Catch when entry.State != EntityState.Deleted:
                    pending.Events.Add(("catch", created));
                    break;
                case AuditEntry { Action: var action }
                    when created && action.StartsWith("promotion.", StringComparison.Ordinal):
                    pending.PromotionActions.Add(action);
                    break;
            }
        }
        _saving.AddOrUpdate(context, pending);
        // SQLite needs no stamp: its own data_version tells other connections of any commit, at no cost to writers
        // (the stamp row took a fifth of the ingestion rate there). SQL Server has no such counter.
        if (!context.Database.IsSqlServer())
            return;
        // Told to the poller only once committed: a commit whose outcome is unclear is left for the poller to announce.
        var value = Guid.NewGuid();
        pending.Stamps.Add(value);
        var tracked = context.ChangeTracker.Entries<ChangeStamp>().FirstOrDefault();
        if (tracked is null)
        {
            var row = new ChangeStamp { Id = ChangeStamp.RowId, Value = value };
            context.Attach(row).Property(r => r.Value).IsModified = true; // UPDATE of the one row, never an INSERT
        }
        else
        {
            tracked.Entity.Value = value;
            tracked.Property(r => r.Value).IsModified = true;
        }
    }

    private void OnSaved(DbContext? context, int result)
    {
        if (result <= 0 || context is null || !_saving.TryGetValue(context, out var write))
            return;
        _saving.Remove(context);
        if (context.Database.CurrentTransaction is null)
            Committed(write);
        else if (_uncommittedWrites.TryGetValue(context, out var earlier))
        {
            // Several saves in one transaction: one notification at the commit, with every count.
            var merged = new PendingWrite();
            merged.Events.AddRange(earlier.Events.Concat(write.Events));
            merged.PromotionActions.AddRange(earlier.PromotionActions.Concat(write.PromotionActions));
            merged.Stamps.AddRange(earlier.Stamps.Concat(write.Stamps));
            _uncommittedWrites.AddOrUpdate(context, merged);
        }
        else
            _uncommittedWrites.AddOrUpdate(context, write);
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is not null && _uncommittedWrites.TryGetValue(context, out var write))
        {
            _uncommittedWrites.Remove(context);
            Committed(write);
        }
    }

    private void Committed(PendingWrite write)
    {
        if (metrics is not null)
        {
            foreach (var (kind, created) in write.Events)
                metrics.EventStored(kind, created);
            foreach (var action in write.PromotionActions)
                metrics.PromotionTransition(action);
        }
        // If the poller reads a stamp before it is remembered here, it announces the write twice; never not at all.
        foreach (var stamp in write.Stamps)
            notifier.RememberOwnStamp(stamp);
        notifier.NotifyOwnCommit();
    }

    private void Forget(DbContext? context)
    {
        if (context is null)
            return;
        _uncommittedWrites.Remove(context);
        _saving.Remove(context);
    }
}
