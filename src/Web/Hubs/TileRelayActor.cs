using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;

namespace SalesDash.Web.Hubs;

/// <summary>
/// The per-node bridge from tenant entities to browsers. It subscribes to a store's tile topic only while some
/// connection on this node watches it, and keeps at most one send in flight and one pending update per store:
/// a newer update replaces an unsent one, so a slow browser can delay its own dashboard but never grows memory
/// or stalls a tenant entity.
/// </summary>
public sealed class TileRelayActor : ReceiveActor, IWithTimers
{
    /// <summary>A connection on this node shows the store's dashboard.</summary>
    public sealed record Watch(string ConnectionId, StoreProfile Store);

    public sealed record Unwatch(string ConnectionId, StoreRef Store);

    public sealed record ConnectionClosed(string ConnectionId);

    private sealed record SendCompleted(StoreRef Store);

    private sealed record RefreshFailed(StoreRef Store, Exception Cause);

    /// <summary>Re-reads watched stores now and then, so the clock moving on (a new minute, a new day) reaches
    /// screens even when no event arrives and the entity has been passivated.</summary>
    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(15);

    private readonly IHubContext<DashboardHub, IDashboardClient> _hub;
    private readonly ITileQuery _tiles;
    private readonly IActorRef _mediator;
    private readonly Dictionary<StoreRef, (StoreProfile Profile, HashSet<string> Connections)> _watched = [];
    private readonly Dictionary<string, HashSet<StoreRef>> _byConnection = [];
    private readonly Dictionary<StoreRef, DashboardTiles> _pending = [];
    private readonly HashSet<StoreRef> _inFlight = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public TileRelayActor(IHubContext<DashboardHub, IDashboardClient> hub, ITileQuery tiles)
    {
        _hub = hub;
        _tiles = tiles;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;

        Receive<Watch>(OnWatch);
        Receive<Unwatch>(m => Remove(m.ConnectionId, m.Store));
        Receive<ConnectionClosed>(m =>
        {
            if (_byConnection.Remove(m.ConnectionId, out var stores))
            {
                foreach (var store in stores)
                {
                    Remove(m.ConnectionId, store, forgetConnection: false);
                }
            }
        });
        Receive<TenantStore.TilesPublished>(m => Offer(m.Tiles));
        Receive<SendCompleted>(m =>
        {
            _inFlight.Remove(m.Store);
            TrySend(m.Store);
        });
        Receive<Status.Failure>(f => Context.GetLogger().Warning(f.Cause, "Pushing tiles failed"));
        Receive<RefreshFailed>(f => Context.GetLogger().Warning(f.Cause, "Refreshing tiles of {0} failed", f.Store));
        Receive<Refresh>(_ =>
        {
            foreach (var (store, watch) in _watched)
            {
                _tiles.GetTilesAsync(watch.Profile, CancellationToken.None).PipeTo(Self,
                    success: t => new TenantStore.TilesPublished(t),
                    failure: e => new RefreshFailed(store, e));
            }
        });
        Receive<SubscribeAck>(_ => { });
        Receive<UnsubscribeAck>(_ => { });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshInterval);

    private void OnWatch(Watch m)
    {
        var store = m.Store.Store;
        if (!_watched.TryGetValue(store, out var watch))
        {
            watch = (m.Store, []);
            _watched[store] = watch;
            _mediator.Tell(new Subscribe(TenantStore.TopicFor(store), Self));
        }

        watch.Connections.Add(m.ConnectionId);
        if (!_byConnection.TryGetValue(m.ConnectionId, out var stores))
        {
            _byConnection[m.ConnectionId] = stores = [];
        }

        stores.Add(store);
    }

    private void Remove(string connectionId, StoreRef store, bool forgetConnection = true)
    {
        if (forgetConnection && _byConnection.TryGetValue(connectionId, out var stores))
        {
            stores.Remove(store);
            if (stores.Count == 0)
            {
                _byConnection.Remove(connectionId);
            }
        }

        if (_watched.TryGetValue(store, out var watch) && watch.Connections.Remove(connectionId) && watch.Connections.Count == 0)
        {
            _watched.Remove(store);
            _pending.Remove(store);
            _mediator.Tell(new Unsubscribe(TenantStore.TopicFor(store), Self));
        }
    }

    private void Offer(DashboardTiles tiles)
    {
        var store = new StoreRef(tiles.TenantId, tiles.StoreId);
        if (!_watched.ContainsKey(store))
        {
            return;
        }

        // Keep the newest figures only: tiles are whole values, so an unsent older one is worthless.
        if (_pending.TryGetValue(store, out var queued) && queued.AsOf > tiles.AsOf && queued.EventsApplied >= tiles.EventsApplied)
        {
            return;
        }

        _pending[store] = tiles;
        TrySend(store);
    }

    private void TrySend(StoreRef store)
    {
        if (_inFlight.Contains(store) || !_pending.Remove(store, out var tiles))
        {
            return;
        }

        _inFlight.Add(store);
        var self = Self;
        _hub.Clients.Group(DashboardHub.GroupFor(store))
            .Tiles(tiles, CancellationToken.None)
            .PipeTo(Self, success: () => new SendCompleted(store), failure: e =>
            {
                self.Tell(new SendCompleted(store));
                return new Status.Failure(e);
            });
    }
}

/// <summary>Akka.Hosting registration of the relay.</summary>
public static class TileRelayHosting
{
    public static AkkaConfigurationBuilder AddTileRelay(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var relay = system.ActorOf(resolver.Props<TileRelayActor>(), "tile-relay");
            registry.Register<TileRelayActor>(relay);
        });
}
