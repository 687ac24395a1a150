using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
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
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Services = services => services.AddSingleton<DashboardLifetimeManager, StallingLifetimeManager>(),
            // No periodic re-read during the test: one landing between the stall and the first order (a slow run takes
            // minutes) is what the TV would hold instead of the first order's tiles.
            Settings = new Dictionary<string, string> { ["Hubs:TileRefreshInterval"] = "1.00:00:00" },
        });
        var stalls = (StallingLifetimeManager)app.Services.GetRequiredService<DashboardLifetimeManager>();
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
            await TilePushes.SeenAsync(boardPushes.Reader, initial + i);
        }

        // The TV was sent the first order's tiles as it froze, and held one write at a time; once it takes messages
        // again it gets the newest tiles (a refresh may repeat them), never the second order's.
        Assert.Equal(1, stalls.MostHeld);
        stalls.Release();
        await TilePushes.SeenAsync(tvPushes.Reader, initial + 3);
        Assert.Equal([initial + 1, initial + 3], stalls.DeliveredToStalled.Distinct());
    }

    /// <summary>
    /// The app's hub lifetime manager, except that tile messages to one chosen connection are held, unsent and
    /// unfinished, until released, as a connection whose socket stopped draining holds its writes. A group send of tiles
    /// (how the relay pushed them before) finishes when every member's write has, as SignalR's default manager does it.
    /// </summary>
    private sealed class StallingLifetimeManager(ILogger<DefaultHubLifetimeManager<DashboardHub>> logger) : DashboardLifetimeManager(logger)
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _groups = new();
        private readonly List<(SerializedHubMessage Message, TaskCompletionSource Done)> _held = [];
        private string? _stalled;
        private string? _frozen;

        public List<string> Connected { get; } = [];

        /// <summary>The events applied of each tile message written to the stalled connection from its stall on, in order.</summary>
        public List<long> DeliveredToStalled { get; } = [];

        /// <summary>The most tile messages held for the stalled connection at once.</summary>
        public int MostHeld { get; private set; }

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
            List<(SerializedHubMessage Message, TaskCompletionSource Done)> held;
            lock (_held)
            {
                connectionId = _stalled!;
                _stalled = null;
                held = [.. _held];
                _held.Clear();
            }

            foreach (var (message, done) in held)
            {
                _ = Forward(connectionId, message).AsTask().ContinueWith(_ => done.TrySetResult(), TaskScheduler.Default);
            }
        }

        public override ValueTask WriteAsync(string connectionId, SerializedHubMessage message)
        {
            if (message.Message is InvocationMessage { Target: DashboardHub.TilesMethod })
            {
                lock (_held)
                {
                    if (connectionId == _stalled)
                    {
                        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        _held.Add((message, done));
                        MostHeld = Math.Max(MostHeld, _held.Count);
                        return new ValueTask(done.Task);
                    }
                }

                return Forward(connectionId, message);
            }

            return base.WriteAsync(connectionId, message);
        }

        public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
        {
            if (methodName != DashboardHub.TilesMethod)
            {
                return base.SendGroupAsync(groupName, methodName, args, cancellationToken);
            }

            var message = new SerializedHubMessage(new InvocationMessage(methodName, args));
            var members = _groups.TryGetValue(groupName, out var group) ? [.. group.Keys] : Array.Empty<string>();
            return Task.WhenAll(members.Select(c => WriteAsync(c, message).AsTask()));
        }

        public override Task OnConnectedAsync(HubConnectionContext connection)
        {
            lock (Connected)
            {
                Connected.Add(connection.ConnectionId);
            }

            return base.OnConnectedAsync(connection);
        }

        public override Task OnDisconnectedAsync(HubConnectionContext connection)
        {
            foreach (var group in _groups.Values)
            {
                group.TryRemove(connection.ConnectionId, out _);
            }

            return base.OnDisconnectedAsync(connection);
        }

        public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        {
            _groups.GetOrAdd(groupName, _ => new())[connectionId] = true;
            return base.AddToGroupAsync(connectionId, groupName, cancellationToken);
        }

        public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        {
            if (_groups.TryGetValue(groupName, out var group))
            {
                group.TryRemove(connectionId, out _);
            }

            return base.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        }

        private ValueTask Forward(string connectionId, SerializedHubMessage message)
        {
            if (connectionId == _frozen)
            {
                lock (DeliveredToStalled)
                {
                    DeliveredToStalled.Add(((DashboardTiles)((InvocationMessage)message.Message!).Arguments[0]!).EventsApplied);
                }
            }

            return base.WriteAsync(connectionId, message);
        }
    }
}
