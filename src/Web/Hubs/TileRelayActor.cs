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
    /// clock moving on (a new minute, a new day) reaches screens when no event arrives, and an entity that stopped
    /// (moved to another node, restarted) and so forgot this relay is told again.</summary>
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
        Receive<TenantStore.TilesPublished>(m => Offer(m.Tiles));
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
                _watched.Remove(store);
                _tiles.UnwatchTilesAsync(store, Self, CancellationToken.None).PipeTo(Self, failure: e => new RefreshFailed(store, e));
            }
        }
    }

    /// <summary>The entity answers with its tiles now and tells every change after, wherever in the cluster it lives.</summary>
    private void WatchAtEntity(StoreProfile profile) =>
        _tiles.WatchTilesAsync(profile, Self, CancellationToken.None).PipeTo(Self, failure: e => new RefreshFailed(profile.Store, e));

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
