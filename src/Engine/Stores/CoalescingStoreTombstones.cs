using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Stores;

/// <summary>
/// The tenant entities' tombstone check, one read for many entities. Every entity that starts with nothing recovered asks
/// whether its store was deleted; a backlog spread over 1,000 new stores starts 1,000 entities at once, and one query
/// each queued them behind each other. Here a question asked while a read is under way waits for the next read, which
/// answers every question gathered meanwhile with one <see cref="IStoreTombstones.DeletedAmongAsync"/>. Nothing is
/// remembered between reads: each answer is read after the question was asked, so the guard stays as decisive as a read
/// per entity (a cache would need a deletion notice to reach this node before the deleted store's next event does).
/// </summary>
public sealed class CoalescingStoreTombstones(IStoreTombstones tombstones) : IStoreTombstones
{
    /// <summary>Most stores in one read: keeps a query's parameter list and its answer small.</summary>
    public const int MaxStoresPerRead = 500;

    private readonly object _gate = new();
    private readonly Queue<Question> _questions = new();
    private bool _reading;

    public Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var question = new Question(store, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_gate)
        {
            _questions.Enqueue(question);
            start = !_reading;
            _reading = true;
        }

        if (start)
        {
            _ = Task.Run(ReadWhileAskedAsync, CancellationToken.None);
        }

        return question.Answer.Task.WaitAsync(cancellationToken);
    }

    public Task<IReadOnlySet<StoreRef>> DeletedAmongAsync(IReadOnlyCollection<StoreRef> stores, CancellationToken cancellationToken) =>
        tombstones.DeletedAmongAsync(stores, cancellationToken);

    private async Task ReadWhileAskedAsync()
    {
        while (true)
        {
            var batch = new List<Question>();
            lock (_gate)
            {
                while (batch.Count < MaxStoresPerRead && _questions.TryDequeue(out var question))
                {
                    batch.Add(question);
                }

                if (batch.Count == 0)
                {
                    _reading = false;
                    return;
                }
            }

            try
            {
                // Not cancelled by one asker: the read answers everyone in the batch.
                var deleted = await tombstones.DeletedAmongAsync(batch.Select(q => q.Store).Distinct().ToList(), CancellationToken.None).ConfigureAwait(false);
                batch.ForEach(q => q.Answer.TrySetResult(deleted.Contains(q.Store)));
            }
#pragma warning disable CA1031 // Every asker hears the failure (the entity retries); the loop goes on for the questions behind them.
            catch (Exception e)
#pragma warning restore CA1031
            {
                batch.ForEach(q => q.Answer.TrySetException(e));
            }
        }
    }

    private sealed record Question(StoreRef Store, TaskCompletionSource<bool> Answer);
}
