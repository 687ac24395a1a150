using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>
/// A wall of screens on one store: a screen whose connection stops taking messages (a frozen TV, a saturated link) must
/// not hold back the others, and must not pile up pushes; when it recovers it gets the newest tiles, not the backlog.
/// </summary>
public sealed class SlowScreenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stalled_screen_holds_back_only_itself_and_then_gets_the_newest_tiles_not_every_one_it_missed()
    {
        var stalls = new StallingLifetimeManager();
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Services = services =>
            {
                services.AddSingleton<DefaultHubLifetimeManager<DashboardHub>>();
                services.AddSingleton<HubLifetimeManager<DashboardHub>>(sp => stalls.Around(sp.GetRequiredService<DefaultHubLifetimeManager<DashboardHub>>()));
            },
        });
        var store = TestStore.London;

        // The TV connects first, so it is the first connection the server sees.
        var tvPushes = Channel.CreateUnbounded<long>();
        var boardPushes = Channel.CreateUnbounded<long>();
        await using var tv = app.CreateSignedInHubConnection(OrgRole.Viewer, store.TenantId);
        tv.On<DashboardTiles>(DashboardHub.TilesMethod, t => tvPushes.Writer.TryWrite(t.EventsApplied));
        await tv.StartAsync(Ct);
        await using var board = app.CreateSignedInHubConnection(OrgRole.Viewer, store.TenantId);
        board.On<DashboardTiles>(DashboardHub.TilesMethod, t => boardPushes.Writer.TryWrite(t.EventsApplied));
        await board.StartAsync(Ct);
        var initial = (await tv.InvokeAsync<DashboardTiles>("Subscribe", store.TenantId, store.StoreId, Ct)).EventsApplied;
        await board.InvokeAsync<DashboardTiles>("Subscribe", store.TenantId, store.StoreId, Ct);
        stalls.Stall(stalls.Connected[0]);

        // Three orders one after another; the board sees each one while the TV takes nothing.
        var client = app.CreateSignedInClient();
        for (var i = 1; i <= 3; i++)
        {
            var placed = WebAppFactory.Now.AddMinutes(-i);
            var order = new TestOrder(910_000 + i, placed, placed, 10m * i, 1, null, 0);
            using var response = await client.SendAsync(ShopifyPayloads.Webhook(store, "orders/create", order.ToJson(store.Currency)), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await SeenAsync(boardPushes.Reader, initial + i);
        }

        // The TV was sent the first order's tiles as it froze, and held one write at a time; once it takes messages
        // again it gets the newest tiles (a refresh may repeat them), never the second order's.
        Assert.Equal(1, stalls.MostHeld);
        stalls.Release();
        await SeenAsync(tvPushes.Reader, initial + 3);
        Assert.Equal([initial + 1, initial + 3], stalls.DeliveredToStalled.Distinct());
    }

    /// <summary>Reads pushes until one covers <paramref name="eventsApplied"/>; fails the test if none does within a minute.</summary>
    private static async Task SeenAsync(ChannelReader<long> pushes, long eventsApplied)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        while (await pushes.ReadAsync(deadline.Token) < eventsApplied)
        {
        }
    }

    /// <summary>
    /// The app's hub lifetime manager, except that tile pushes to one chosen connection are held, unsent and unfinished,
    /// until released, as a connection whose socket stopped draining holds its writes. A group send finishes when every
    /// member's write has, as SignalR's default manager does it.
    /// </summary>
    private sealed class StallingLifetimeManager : HubLifetimeManager<DashboardHub>
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _groups = new();
        private readonly List<(object?[] Args, TaskCompletionSource Done)> _held = [];
        private DefaultHubLifetimeManager<DashboardHub> _inner = null!;
        private string? _stalled;
        private string? _frozen;

        public List<string> Connected { get; } = [];

        /// <summary>The events applied of each tile push sent to the stalled connection from its stall on, in order.</summary>
        public List<long> DeliveredToStalled { get; } = [];

        /// <summary>The most tile pushes held for the stalled connection at once.</summary>
        public int MostHeld { get; private set; }

        public StallingLifetimeManager Around(DefaultHubLifetimeManager<DashboardHub> inner)
        {
            _inner = inner;
            return this;
        }

        public void Stall(string connectionId)
        {
            lock (_held)
            {
                _stalled = connectionId;
                _frozen = connectionId;
            }
        }

        public void Release()
        {
            string connectionId;
            List<(object?[] Args, TaskCompletionSource Done)> held;
            lock (_held)
            {
                connectionId = _stalled!;
                _stalled = null;
                held = [.. _held];
                _held.Clear();
            }

            foreach (var (args, done) in held)
            {
                Forward(connectionId, args).ContinueWith(_ => done.TrySetResult(), TaskScheduler.Default);
            }
        }

        public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        {
            if (methodName == DashboardHub.TilesMethod)
            {
                lock (_held)
                {
                    if (connectionId == _stalled)
                    {
                        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        _held.Add((args, done));
                        MostHeld = Math.Max(MostHeld, _held.Count);
                        return done.Task;
                    }
                }

                return Forward(connectionId, args);
            }

            return _inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);
        }

        public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            Task.WhenAll(Members(groupName).Select(c => SendConnectionAsync(c, methodName, args, cancellationToken)));

        public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            Task.WhenAll(groupNames.SelectMany(Members).Distinct().Select(c => SendConnectionAsync(c, methodName, args, cancellationToken)));

        public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            Task.WhenAll(connectionIds.Select(c => SendConnectionAsync(c, methodName, args, cancellationToken)));

        public override Task OnConnectedAsync(HubConnectionContext connection)
        {
            lock (Connected)
            {
                Connected.Add(connection.ConnectionId);
            }

            return _inner.OnConnectedAsync(connection);
        }

        public override Task OnDisconnectedAsync(HubConnectionContext connection)
        {
            foreach (var group in _groups.Values)
            {
                group.TryRemove(connection.ConnectionId, out _);
            }

            return _inner.OnDisconnectedAsync(connection);
        }

        public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        {
            _groups.GetOrAdd(groupName, _ => new())[connectionId] = true;
            return _inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
        }

        public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        {
            if (_groups.TryGetValue(groupName, out var group))
            {
                group.TryRemove(connectionId, out _);
            }

            return _inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        }

        public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) => _inner.SendAllAsync(methodName, args, cancellationToken);

        public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
            _inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

        public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
            Task.WhenAll(Members(groupName).Except(excludedConnectionIds).Select(c => SendConnectionAsync(c, methodName, args, cancellationToken)));

        public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) => _inner.SendUserAsync(userId, methodName, args, cancellationToken);

        public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            _inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

        private IEnumerable<string> Members(string groupName) => _groups.TryGetValue(groupName, out var group) ? [.. group.Keys] : [];

        private Task Forward(string connectionId, object?[] args)
        {
            if (connectionId == _frozen)
            {
                lock (DeliveredToStalled)
                {
                    DeliveredToStalled.Add(EventsApplied(args[0]));
                }
            }

            return _inner.SendConnectionAsync(connectionId, DashboardHub.TilesMethod, args);
        }

        private static long EventsApplied(object? pushed) => pushed switch
        {
            TilesPush push => push.Tiles.EventsApplied,
            DashboardTiles tiles => tiles.EventsApplied,
            _ => throw new InvalidOperationException($"A tile push carried {pushed?.GetType().Name ?? "null"}."),
        };
    }
}
