using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Every write notifies subscribers once, when it is committed, whoever the writer was. A SaveChanges outside an
/// explicit transaction notifies right after it saved (its own internal transaction has committed by then); inside
/// an explicit transaction the write is remembered and the commit notifies. Read-only transactions stay silent.
/// Every write also gives the change stamp row a new value in the same transaction: that is how other instances on
/// the same database (<see cref="ChangeStampPoller"/>) learn of it, and a write that rolls back leaves no trace there.
/// </summary>
public sealed class DataChangeInterceptor(DataChangeNotifier notifier) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, StrongBox<Guid>> _uncommittedWrites = new();
    private readonly ConditionalWeakTable<DbContext, StrongBox<Guid>> _savingStamps = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        OnSaved(eventData.Context, result);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        OnSaved(eventData.Context, result);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => OnCommitted(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        OnCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>A write (anything added, changed or deleted) carries a new stamp value in the same SaveChanges.</summary>
    private void Stamp(DbContext? context)
    {
        if (context is null) return;
        var writes = context.ChangeTracker.Entries().Any(e => e.Entity is not ChangeStamp && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        if (!writes) return;
        var value = Guid.NewGuid();
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
        _savingStamps.AddOrUpdate(context, new StrongBox<Guid>(value));
    }

    private void OnSaved(DbContext? context, int result)
    {
        if (result <= 0 || context is null || !_savingStamps.TryGetValue(context, out var stamp)) return;
        _savingStamps.Remove(context);
        if (context.Database.CurrentTransaction is null) notifier.NotifyChanged(stamp.Value);
        else _uncommittedWrites.AddOrUpdate(context, stamp);
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is not null && _uncommittedWrites.TryGetValue(context, out var stamp))
        {
            _uncommittedWrites.Remove(context);
            notifier.NotifyChanged(stamp.Value);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is null) return;
        _uncommittedWrites.Remove(context);
        _savingStamps.Remove(context);
    }
}
