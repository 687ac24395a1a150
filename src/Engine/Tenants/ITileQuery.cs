using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;

namespace SalesDash.Engine.Tenants;

/// <summary>Reads a store's current dashboard tiles, in the store's own currency and time zone.</summary>
public interface ITileQuery
{
    Task<DashboardTiles> GetTilesAsync(StoreProfile store, CancellationToken ct);

    /// <summary>
    /// Has the store's entity tell <paramref name="screens"/> its tiles now and every change after
    /// (<see cref="TenantStore.WatchTiles"/>); done once the message is on its way.
    /// </summary>
    Task WatchTilesAsync(StoreProfile store, IActorRef screens, CancellationToken ct);

    /// <summary>Ends what <see cref="WatchTilesAsync"/> started.</summary>
    Task UnwatchTilesAsync(StoreRef store, IActorRef screens, CancellationToken ct);
}

/// <summary>Asks the store's sharded entity, wherever in the cluster it lives.</summary>
public sealed class ShardedTileQuery(IRequiredActor<TenantStoreRegion> region, IOptions<EngineOptions> options) : ITileQuery
{
    private readonly TimeSpan _timeout = options.Value.AskTimeout;

    public async Task<DashboardTiles> GetTilesAsync(StoreProfile store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var shardRegion = await region.GetAsync(ct);

        // The reader holds the profile as the app database has it now; the entity's pushes follow it from here on.
        shardRegion.Tell(new TenantStore.UseProfile(store.Store, store.Currency, store.TimeZone));
        return await shardRegion.Ask<DashboardTiles>(new TenantStore.GetTiles(store.Store, store.Currency, store.TimeZone), _timeout, ct);
    }

    public async Task WatchTilesAsync(StoreProfile store, IActorRef screens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        // The watcher is the sender, which sharding keeps on the way to the entity.
        (await region.GetAsync(ct)).Tell(new TenantStore.WatchTiles(store.Store, store.Currency, store.TimeZone), screens);
    }

    public async Task UnwatchTilesAsync(StoreRef store, IActorRef screens, CancellationToken ct) =>
        (await region.GetAsync(ct)).Tell(new TenantStore.UnwatchTiles(store), screens);
}
