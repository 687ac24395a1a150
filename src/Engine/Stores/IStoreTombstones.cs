using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Stores;

/// <summary>
/// Whether a store id was deleted with its data. The host keeps the tombstones (the web host in its app database); the
/// tenant entity asks when it starts with nothing recovered, which is how a deleted store's entity always starts.
/// </summary>
public interface IStoreTombstones
{
    Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken);

    /// <summary>
    /// Which of <paramref name="stores"/> were deleted, in one read where the host can (<see cref="CoalescingStoreTombstones"/>
    /// gathers the questions of entities starting together); by default one read per store.
    /// </summary>
    async Task<IReadOnlySet<StoreRef>> DeletedAmongAsync(IReadOnlyCollection<StoreRef> stores, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var deleted = new HashSet<StoreRef>();
        foreach (var store in stores)
        {
            if (await IsDeletedAsync(store, cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(store);
            }
        }

        return deleted;
    }
}

/// <summary>
/// The store was deleted: the event was not stored, and never will be. Its sender should drop it (a webhook answers 404,
/// an import fails, Kafka commits past it), not retry.
/// </summary>
public sealed class StoreDeletedException : Exception
{
    public StoreDeletedException(string message)
        : base(message)
    {
    }

    public StoreDeletedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreDeletedException()
        : base("The store was deleted; nothing more is stored for it.")
    {
    }

    public static StoreDeletedException For(StoreRef store) =>
        new($"The store {store} was deleted with its data; nothing more is stored for it.");
}
