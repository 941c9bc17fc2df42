using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Every write notifies subscribers once, when it is committed, whoever the writer was. A SaveChanges outside an
/// explicit transaction notifies right after it saved (its own internal transaction has committed by then); inside
/// an explicit transaction the write is remembered and the commit notifies. Read-only transactions stay silent.
/// </summary>
public sealed class DataChangeInterceptor(DataChangeNotifier notifier) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _uncommittedWrites = new();

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

    private void OnSaved(DbContext? context, int result)
    {
        if (result <= 0 || context is null) return;
        if (context.Database.CurrentTransaction is null) notifier.NotifyChanged();
        else _uncommittedWrites.AddOrUpdate(context, true);
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is not null && _uncommittedWrites.Remove(context)) notifier.NotifyChanged();
    }

    private void Forget(DbContext? context)
    {
        if (context is not null) _uncommittedWrites.Remove(context);
    }
}
