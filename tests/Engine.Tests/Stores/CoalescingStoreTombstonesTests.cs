using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Tests.Stores;

/// <summary>
/// Entities starting together share one tombstone read: questions asked while a read is under way go together in the
/// next one, every asker gets its own store's answer, and a failed read fails exactly the questions it carried.
/// </summary>
public sealed class CoalescingStoreTombstonesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Questions_asked_while_a_read_is_under_way_are_answered_by_one_more_read_each_with_its_own_store()
    {
        var deleted = new StoreRef("acme", "gone");
        var source = new GatedTombstones([deleted]);
        var tombstones = new CoalescingStoreTombstones(source);

        var first = tombstones.IsDeletedAsync(new StoreRef("acme", "first"), Ct);
        await source.FirstReadStarted.WaitAsync(Bound, Ct);
        // 200 entities start while the first read is held: the old entity read once each.
        var stores = Enumerable.Range(0, 199).Select(i => new StoreRef("acme", $"s{i}")).Append(deleted).ToList();
        var answers = stores.Select(store => tombstones.IsDeletedAsync(store, Ct)).ToList();
        source.Release();

        Assert.False(await first.WaitAsync(Bound, Ct));
        var results = await Task.WhenAll(answers).WaitAsync(Bound, Ct);
        Assert.Equal(stores.Select(s => s == deleted), results);
        Assert.Equal(2, source.Reads);
        Assert.Equal(200, source.LargestRead);
    }

    [Fact]
    public async Task A_read_that_fails_fails_its_own_questions_and_the_next_question_is_read_afresh()
    {
        var deleted = new StoreRef("acme", "gone");
        var source = new GatedTombstones([deleted], failFirst: true);
        var tombstones = new CoalescingStoreTombstones(source);

        var failing = tombstones.IsDeletedAsync(deleted, Ct);
        await source.FirstReadStarted.WaitAsync(Bound, Ct);
        source.Release();

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Bound, Ct));
        // Never a remembered "not deleted": the next entity of the deleted store is told the truth.
        Assert.True(await tombstones.IsDeletedAsync(deleted, Ct).WaitAsync(Bound, Ct));
        Assert.Equal(2, source.Reads);
    }

    /// <summary>Tombstones whose first read waits for <see cref="Release"/> (and may fail), counting reads and their sizes.</summary>
    private sealed class GatedTombstones(IReadOnlyCollection<StoreRef> deleted, bool failFirst = false) : IStoreTombstones
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;
        private int _largest;

        public Task FirstReadStarted => _started.Task;

        public int Reads => Volatile.Read(ref _reads);

        public int LargestRead => Volatile.Read(ref _largest);

        public void Release() => _release.TrySetResult();

        public Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the coalescer must read in batches");

        public async Task<IReadOnlySet<StoreRef>> DeletedAmongAsync(IReadOnlyCollection<StoreRef> stores, CancellationToken cancellationToken)
        {
            var read = Interlocked.Increment(ref _reads);
            var size = stores.Count;
            int largest;
            while ((largest = Volatile.Read(ref _largest)) < size && Interlocked.CompareExchange(ref _largest, size, largest) != largest)
            {
            }

            if (read == 1)
            {
                _started.TrySetResult();
                await _release.Task;
                if (failFirst)
                {
                    throw new InvalidOperationException("the app database is unreachable");
                }
            }

            return stores.Where(deleted.Contains).ToHashSet();
        }
    }
}
