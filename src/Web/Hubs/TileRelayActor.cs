using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;

namespace SalesDash.Web.Hubs;

/// <summary>
/// The per-node bridge from tenant entities to browsers. It subscribes to a store's tile topic only while some
/// connection on this node watches it, serialises each update once, and sends it to every watching connection on its
/// own: a connection keeps at most one send in flight and one pending update (a newer update replaces an unsent one),
/// so a slow or stalled screen delays only itself, never grows memory, and never stalls a tenant entity or the other
/// screens of the store. (A group send completes when its slowest member has taken the message: one frozen TV on a
/// wall held back every dashboard of the store on the node.)
/// </summary>
public sealed class TileRelayActor : ReceiveActor, IWithTimers
{
    /// <summary>A connection on this node shows the store's dashboard.</summary>
    public sealed record Watch(string ConnectionId, StoreProfile Store);

    public sealed record Unwatch(string ConnectionId, StoreRef Store);

    public sealed record ConnectionClosed(string ConnectionId);

    private sealed record SendCompleted(StoreRef Store, string ConnectionId, Exception? Failure);

    private sealed record RefreshFailed(StoreRef Store, Exception Cause);

    /// <summary>Re-reads watched stores now and then, so the clock moving on (a new minute, a new day) reaches
    /// screens even when no event arrives and the entity has been passivated.</summary>
    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(15);

    private readonly DashboardLifetimeManager _screens;
    private readonly ITileQuery _tiles;
    private readonly IActorRef _mediator;
    private readonly Dictionary<StoreRef, StoreScreens> _watched = [];
    private readonly Dictionary<string, HashSet<StoreRef>> _byConnection = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public TileRelayActor(DashboardLifetimeManager screens, ITileQuery tiles)
    {
        _screens = screens;
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
        Receive<SendCompleted>(OnSendCompleted);
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
            watch = new StoreScreens(m.Store);
            _watched[store] = watch;
            _mediator.Tell(new Subscribe(TenantStore.TopicFor(store), Self));
        }

        watch.Screens.TryAdd(m.ConnectionId, new Screen());
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

        if (_watched.TryGetValue(store, out var watch) && watch.Screens.Remove(connectionId) && watch.Screens.Count == 0)
        {
            _watched.Remove(store);
            _mediator.Tell(new Unsubscribe(TenantStore.TopicFor(store), Self));
        }
    }

    private void Offer(DashboardTiles tiles)
    {
        var store = new StoreRef(tiles.TenantId, tiles.StoreId);
        if (!_watched.TryGetValue(store, out var watch))
        {
            return;
        }

        // Tiles are whole values: one older than what the screens were last offered is worthless (a refresh read can
        // overtake a push from the entity).
        if (watch.Latest is { } latest && latest.AsOf > tiles.AsOf && latest.EventsApplied >= tiles.EventsApplied)
        {
            return;
        }

        watch.Latest = tiles;
        // Serialised once, by the first write, for every connection (per protocol).
        var push = new SerializedHubMessage(new InvocationMessage(DashboardHub.TilesMethod, [tiles]));
        foreach (var (connectionId, screen) in watch.Screens)
        {
            if (screen.Busy)
            {
                screen.Pending = push;
            }
            else
            {
                Send(store, connectionId, screen, push);
            }
        }
    }

    private void OnSendCompleted(SendCompleted m)
    {
        if (m.Failure is not null)
        {
            Context.GetLogger().Warning(m.Failure, "Pushing tiles of {0} to connection {1} failed", m.Store, m.ConnectionId);
        }

        if (!_watched.TryGetValue(m.Store, out var watch) || !watch.Screens.TryGetValue(m.ConnectionId, out var screen))
        {
            return;
        }

        screen.Busy = false;
        if (screen.Pending is { } pending)
        {
            screen.Pending = null;
            Send(m.Store, m.ConnectionId, screen, pending);
        }
    }

    private void Send(StoreRef store, string connectionId, Screen screen, SerializedHubMessage push)
    {
        var sent = _screens.WriteAsync(connectionId, push);
        if (sent.IsCompletedSuccessfully)
        {
            // The usual case: the message fit in the connection's buffer and no actor message is needed.
            return;
        }

        screen.Busy = true;
        sent.AsTask().PipeTo(Self, success: () => new SendCompleted(store, connectionId, null), failure: e => new SendCompleted(store, connectionId, e));
    }

    private sealed class StoreScreens(StoreProfile profile)
    {
        public StoreProfile Profile { get; } = profile;

        public Dictionary<string, Screen> Screens { get; } = [];

        /// <summary>The newest tiles offered to the screens.</summary>
        public DashboardTiles? Latest { get; set; }
    }

    private sealed class Screen
    {
        /// <summary>A send to this connection has not completed yet.</summary>
        public bool Busy { get; set; }

        /// <summary>The newest push that arrived while busy; it replaces any older one.</summary>
        public SerializedHubMessage? Pending { get; set; }
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
