using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;

namespace SalesDash.Web.Hubs;

/// <summary>
/// The per-node bridge from tenant entities to browsers. It watches a store's tiles at its entity
/// (<see cref="TenantStore.WatchTiles"/>) only while some connection on this node watches it (an entity no screen
/// watches builds no tiles), serialises each update once, and sends it to every watching connection on its
/// own: a connection keeps at most one send in flight and one pending update (a newer update replaces an unsent one),
/// so a slow or stalled screen delays only itself, never grows memory, and never stalls a tenant entity or the other
/// screens of the store. (A group send completes when its slowest member has taken the message: one frozen TV on a
/// wall held back every dashboard of the store on the node.) Each screen is also paced on its own
/// (<see cref="ScreenPacer{TPush}"/>): with few screens on the node it gets every update the entity publishes; with many,
/// each rests between writes for its share of <see cref="ScreenPushOptions.ScreenPushesPerSecond"/>, gets a change after
/// a rest at once, and the newest of what arrived meanwhile at the rest's end.
/// </summary>
public sealed class TileRelayActor : ReceiveActor, IWithTimers
{
    /// <summary>A connection on this node shows the store's dashboard.</summary>
    public sealed record Watch(string ConnectionId, StoreProfile Store);

    public sealed record Unwatch(string ConnectionId, StoreRef Store);

    public sealed record ConnectionClosed(string ConnectionId);

    private sealed record SendCompleted(StoreRef Store, string ConnectionId, Exception? Failure);

    private sealed record RefreshFailed(StoreRef Store, Exception Cause);

    /// <summary>Some screen of the store has rested long enough to take its pending update.</summary>
    private sealed record PaceDue(StoreRef Store);

    /// <summary>Watches each watched store at its entity again now and then: the entity answers with its tiles, so the
    /// clock moving on (a new minute, a new day) reaches screens when no event arrives. (An entity that stops or restarts
    /// is watched again at once, see <see cref="EntityGone"/>; this is the net under that.)</summary>
    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private readonly DashboardLifetimeManager _screens;
    private readonly ITileQuery _tiles;
    private readonly TimeProvider _time;
    private readonly ScreenPushOptions _pacing;
    private readonly Dictionary<StoreRef, StoreScreens> _watched = [];
    private readonly Dictionary<string, HashSet<StoreRef>> _byConnection = [];

    /// <summary>The entity that last told each watched store's tiles, death-watched: where the store lives now.</summary>
    private readonly Dictionary<IActorRef, StoreRef> _byEntity = [];

    /// <summary>
    /// How long a store watched anew after its entity stopped waits for the answer before it is watched again. The
    /// watch can be lost: its shard may not yet know its entity stopped, or a crashed node's region may not yet be
    /// known to be gone. The wait doubles while no answer comes (up to the refresh interval), so an entity that cannot
    /// start, or fails at each start, is not woken (and its journal replayed) in a loop.
    /// </summary>
    private static readonly TimeSpan FirstRewatchWait = TimeSpan.FromSeconds(1);

    /// <summary>Timer key of a store's wait for the answer to a watch sent anew.</summary>
    private sealed record RewatchKey(StoreRef Store);

    private sealed record RewatchDue(StoreRef Store);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Screens watched on this node, over all stores (a connection watching two stores counts twice): what the pace is shared by.</summary>
    private int _screenCount;

    public TileRelayActor(DashboardLifetimeManager screens, ITileQuery tiles, TimeProvider time, IOptions<ScreenPushOptions> pacing)
    {
        ArgumentNullException.ThrowIfNull(pacing);
        _screens = screens;
        _tiles = tiles;
        _time = time;
        _pacing = pacing.Value;

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
        Receive<TenantStore.TilesPublished>(OnTiles);
        // The entity stopped (handed off to another node, passivated, its node crashed) or restarts: it forgot this relay.
        Receive<Terminated>(t =>
        {
            if (_byEntity.TryGetValue(t.ActorRef, out var store))
            {
                EntityGone(store);
            }
        });
        Receive<TenantStore.TilesWatchEnded>(m => EntityGone(m.Store));
        Receive<RewatchDue>(OnRewatchDue);
        Receive<SendCompleted>(OnSendCompleted);
        Receive<PaceDue>(OnPaceDue);
        Receive<RefreshFailed>(f => Context.GetLogger().Warning(f.Cause, "Watching tiles of {0} at its entity failed", f.Store));
        Receive<Refresh>(_ =>
        {
            foreach (var watch in _watched.Values)
            {
                WatchAtEntity(watch.Profile);
            }
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("refresh", Refresh.Instance, _pacing.TileRefreshInterval);

    protected override void PostStop()
    {
        foreach (var watch in _watched.Values)
        {
            watch.PaceTimer?.Dispose();
        }
    }

    private TimeSpan Interval => _pacing.IntervalFor(_screenCount);

    private void OnWatch(Watch m)
    {
        var store = m.Store.Store;
        if (!_watched.TryGetValue(store, out var watch))
        {
            watch = new StoreScreens(m.Store);
            _watched[store] = watch;
            WatchAtEntity(m.Store);
        }

        if (watch.Screens.Add(m.ConnectionId))
        {
            _screenCount++;
        }

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

        if (_watched.TryGetValue(store, out var watch) && watch.Screens.Remove(connectionId))
        {
            _screenCount--;
            if (watch.Screens.Count == 0)
            {
                watch.PaceTimer?.Dispose();
                Detach(watch);
                Timers.Cancel(new RewatchKey(store));
                _watched.Remove(store);
                _tiles.UnwatchTilesAsync(store, Self, CancellationToken.None).PipeTo(Self, failure: e => new RefreshFailed(store, e));
            }
        }
    }

    /// <summary>The entity answers with its tiles now and tells every change after, wherever in the cluster it lives.</summary>
    private void WatchAtEntity(StoreProfile profile) =>
        _tiles.WatchTilesAsync(profile, Self, CancellationToken.None).PipeTo(Self, failure: e => new RefreshFailed(profile.Store, e));

    private void OnTiles(TenantStore.TilesPublished m)
    {
        var store = new StoreRef(m.Tiles.TenantId, m.Tiles.StoreId);
        if (!_watched.TryGetValue(store, out var watch))
        {
            return;
        }

        Attach(store, watch, Sender);
        Offer(store, watch, m.Tiles);
    }

    /// <summary>Death-watches the entity that told the tiles, so its stop is known at once, wherever it lived.</summary>
    private void Attach(StoreRef store, StoreScreens watch, IActorRef entity)
    {
        if (entity.IsNobody() || entity.Equals(watch.Entity))
        {
            return;
        }

        Detach(watch);
        watch.Entity = entity;
        _byEntity[entity] = store;
        Context.Watch(entity);
    }

    private void Detach(StoreScreens watch)
    {
        if (watch.Entity is { } entity)
        {
            _byEntity.Remove(entity);
            Context.Unwatch(entity);
            watch.Entity = null;
        }
    }

    /// <summary>
    /// The store's entity forgot this relay (it stopped or restarts): watch it again now, so its next incarnation, on
    /// whichever node, pushes the store's changes to the screens here without waiting for the periodic refresh; and
    /// again after a wait if no answer comes (<see cref="FirstRewatchWait"/>).
    /// </summary>
    private void EntityGone(StoreRef store)
    {
        if (!_watched.TryGetValue(store, out var watch))
        {
            return;
        }

        Detach(watch);
        // A wait already running watches again at its end if the store is still unanswered then.
        if (Timers.IsTimerActive(new RewatchKey(store)))
        {
            return;
        }

        WatchAtEntity(watch.Profile);
        Timers.StartSingleTimer(new RewatchKey(store), new RewatchDue(store), watch.RewatchWait);
    }

    private void OnRewatchDue(RewatchDue m)
    {
        if (!_watched.TryGetValue(m.Store, out var watch))
        {
            return;
        }

        if (watch.Entity is not null)
        {
            // Answered, and that entity still lives: the next stop is watched anew at once again.
            watch.RewatchWait = FirstRewatchWait;
            return;
        }

        watch.RewatchWait = TimeSpan.FromTicks(Math.Min(watch.RewatchWait.Ticks * 2, _pacing.TileRefreshInterval.Ticks));
        WatchAtEntity(watch.Profile);
        Timers.StartSingleTimer(new RewatchKey(m.Store), new RewatchDue(m.Store), watch.RewatchWait);
    }

    private void Offer(StoreRef store, StoreScreens watch, DashboardTiles tiles)
    {
        // Tiles are whole values: one older than what the screens were last offered is worthless (a refresh read can
        // overtake a push from the entity).
        if (watch.Latest is { } latest && latest.AsOf > tiles.AsOf && latest.EventsApplied >= tiles.EventsApplied)
        {
            return;
        }

        watch.Latest = tiles;
        // Serialised once, by the first write, for every connection (per protocol).
        var push = new SerializedHubMessage(new InvocationMessage(DashboardHub.TilesMethod, [tiles]));
        var interval = Interval;
        foreach (var connectionId in watch.Screens.Offer(push, _time.GetUtcNow(), interval))
        {
            Send(store, connectionId, watch, push);
        }

        SchedulePace(store, watch, interval);
    }

    private void OnPaceDue(PaceDue m)
    {
        if (!_watched.TryGetValue(m.Store, out var watch))
        {
            return;
        }

        watch.PaceTimer?.Dispose();
        watch.PaceTimer = null;
        var interval = Interval;
        foreach (var (connectionId, push) in watch.Screens.Due(_time.GetUtcNow(), interval))
        {
            Send(m.Store, connectionId, watch, push);
        }

        SchedulePace(m.Store, watch, interval);
    }

    /// <summary>Wakes the relay when the first screen holding an update has rested; one timer per store at most.</summary>
    private void SchedulePace(StoreRef store, StoreScreens watch, TimeSpan interval)
    {
        if (watch.PaceTimer is not null || watch.Screens.NextDue(interval) is not { } due)
        {
            return;
        }

        var delay = due - _time.GetUtcNow();
        var self = Self;
        // The app's clock, so tests move a screen's rest on without waiting for it.
        watch.PaceTimer = _time.CreateTimer(_ => self.Tell(new PaceDue(store)), null, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void OnSendCompleted(SendCompleted m)
    {
        if (m.Failure is not null)
        {
            Context.GetLogger().Warning(m.Failure, "Pushing tiles of {0} to connection {1} failed", m.Store, m.ConnectionId);
        }

        if (!_watched.TryGetValue(m.Store, out var watch) || !watch.Screens.Contains(m.ConnectionId))
        {
            return;
        }

        var interval = Interval;
        if (watch.Screens.Completed(m.ConnectionId, _time.GetUtcNow(), interval) is { } pending)
        {
            Send(m.Store, m.ConnectionId, watch, pending);
        }
        else
        {
            SchedulePace(m.Store, watch, interval);
        }
    }

    private void Send(StoreRef store, string connectionId, StoreScreens watch, SerializedHubMessage push)
    {
        var sent = _screens.WriteAsync(connectionId, push);
        if (sent.IsCompletedSuccessfully)
        {
            // The usual case: the message fit in the connection's buffer and no actor message is needed.
            return;
        }

        watch.Screens.Writing(connectionId);
        sent.AsTask().PipeTo(Self, success: () => new SendCompleted(store, connectionId, null), failure: e => new SendCompleted(store, connectionId, e));
    }

    private sealed class StoreScreens(StoreProfile profile)
    {
        public StoreProfile Profile { get; } = profile;

        public ScreenPacer<SerializedHubMessage> Screens { get; } = new();

        /// <summary>The newest tiles offered to the screens.</summary>
        public DashboardTiles? Latest { get; set; }

        /// <summary>Set while some screen holds an update until its rest is over.</summary>
        public ITimer? PaceTimer { get; set; }

        /// <summary>The entity that last told the tiles (death-watched), if any is known.</summary>
        public IActorRef? Entity { get; set; }

        /// <summary>How long the next watch sent anew waits for its answer.</summary>
        public TimeSpan RewatchWait { get; set; } = FirstRewatchWait;
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
