using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReleaseBoard.Web.Infrastructure;

/// <summary>
/// Every write notifies subscribers once it is committed, whoever the writer was: a SaveChanges outside a
/// transaction right after it saved, a transaction when it commits.
/// </summary>
public sealed class DataChangeInterceptor(DataChangeNotifier notifier) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfCommitted(eventData, result);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfCommitted(eventData, result);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => notifier.NotifyChanged();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        notifier.NotifyChanged();
        return Task.CompletedTask;
    }

    private void NotifyIfCommitted(SaveChangesCompletedEventData eventData, int result)
    {
        // Inside an explicit transaction nothing is visible to readers yet: TransactionCommitted notifies.
        if (result > 0 && eventData.Context?.Database.CurrentTransaction is null)
            notifier.NotifyChanged();
    }
}
