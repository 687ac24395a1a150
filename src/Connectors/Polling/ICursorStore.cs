using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Polling;

/// <summary>Where pollers keep how far they got, per store and stream, so a restart resumes rather than starts over.</summary>
public interface ICursorStore
{
    /// <summary>The saved cursor (the poller's own JSON), or null before the first poll.</summary>
    Task<string?> LoadAsync(StoreRef store, string stream, CancellationToken cancellationToken);

    Task SaveAsync(StoreRef store, string stream, string cursor, CancellationToken cancellationToken);

    /// <summary>Forgets the cursor, e.g. when a channel is reconnected to another account.</summary>
    Task DeleteAsync(StoreRef store, string stream, CancellationToken cancellationToken);
}
