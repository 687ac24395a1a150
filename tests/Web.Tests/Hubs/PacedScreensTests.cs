using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>
/// A node with more screens than its push budget: each screen rests between tile writes, but a change after a rest is
/// written at once, and a burst during a rest reaches every screen as its newest update only. Time is the app's clock,
/// moved by the test; what the relay wrote is read after it has handled every message sent before (no waiting for time).
/// </summary>
public sealed class PacedScreensTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_change_after_a_rest_is_written_at_once_and_a_burst_during_the_rest_arrives_as_its_newest_only()
    {
        // Two screens against one push a second for the node: each screen rests a second (the longest rest) between writes.
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Services = services => services.AddSingleton<DashboardLifetimeManager, RecordingLifetimeManager>(),
            Settings = new Dictionary<string, string>
            {
                ["Hubs:ScreenPushesPerSecond"] = "1",
                ["Hubs:MaxScreenInterval"] = "00:00:01",
                ["Hubs:TileRefreshInterval"] = "1.00:00:00",
            },
        });
        var written = (RecordingLifetimeManager)app.Services.GetRequiredService<DashboardLifetimeManager>();
        var store = TestStore.London;
        var screens = new List<(HubConnection Connection, Channel<long> Pushes)>();
        DashboardTiles? current = null;
        for (var i = 0; i < 2; i++)
        {
            var pushes = Channel.CreateUnbounded<long>();
            var connection = app.CreateSignedInHubConnection(OrgRole.Viewer, store.TenantId);
            connection.On<DashboardTiles>(DashboardHub.TilesMethod, t => pushes.Writer.TryWrite(t.EventsApplied));
            await connection.StartAsync(Ct);
            current = await connection.InvokeAsync<DashboardTiles>("Subscribe", store.TenantId, store.StoreId, Ct);
            screens.Add((connection, pushes));
        }

        try
        {
            var relay = await app.Services.GetRequiredService<ActorRegistry>().GetAsync<TileRelayActor>(Ct);
            // Updates as the store's entity publishes them, each newer than anything the entity itself could publish now.
            var first = current! with { AsOf = app.Clock.GetUtcNow().AddHours(1) };
            DashboardTiles Update(int n) => first with { EventsApplied = first.EventsApplied + n, AsOf = first.AsOf.AddSeconds(n) };

            // Whatever the screens were written so far (an entity's start), two full rests leave both rested with nothing pending.
            relay.Tell(new TenantStore.TilesPublished(Update(1)));
            await HandledAsync(relay);
            for (var i = 0; i < 2; i++)
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
                await HandledAsync(relay);
            }

            var before = written.Count;

            // A change after the rest: written to both screens at once, with the clock standing still.
            relay.Tell(new TenantStore.TilesPublished(Update(2)));
            await HandledAsync(relay);
            Assert.Equal(Both(Update(2)), written.Since(before));

            // A burst within the rest: nothing written until the rest is over, then only the newest.
            for (var n = 3; n <= 6; n++)
            {
                relay.Tell(new TenantStore.TilesPublished(Update(n)));
            }

            await HandledAsync(relay);
            Assert.Equal(Both(Update(2)), written.Since(before));
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await HandledAsync(relay);
            Assert.Equal(Both(Update(2), Update(6)), written.Since(before));

            // And both browsers receive it, with nothing older after it.
            foreach (var (_, pushes) in screens)
            {
                await TilePushes.SeenAsync(pushes.Reader, Update(6).EventsApplied);
            }

            // Nothing was left pending: later rests write nothing more.
            app.Clock.Advance(TimeSpan.FromSeconds(5));
            await HandledAsync(relay);
            Assert.Equal(Both(Update(2), Update(6)), written.Since(before));
        }
        finally
        {
            foreach (var (connection, _) in screens)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>The same writes to each of the two screens.</summary>
    private static List<List<long>> Both(params DashboardTiles[] tiles) => [[.. tiles.Select(t => t.EventsApplied)], [.. tiles.Select(t => t.EventsApplied)]];

    /// <summary>Returns once the relay has handled every message sent to it before (its mailbox is first in, first out).</summary>
    private static Task HandledAsync(IActorRef relay) => relay.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(60));

    /// <summary>
    /// The app's lifetime manager, recording the events applied of every tile message written, per connection, in order.
    /// Each write is reported complete at once (the socket still sends it), so a write SignalR happens to finish later
    /// (a keep-alive holding the connection's lock) cannot turn a screen busy and change what the relay may write:
    /// busy screens are <see cref="SlowScreenTests"/>' and <see cref="ScreenPacerTests"/>' subject.
    /// </summary>
    private sealed class RecordingLifetimeManager(ILogger<DefaultHubLifetimeManager<DashboardHub>> logger) : DashboardLifetimeManager(logger)
    {
        private readonly List<(string ConnectionId, long EventsApplied)> _writes = [];

        public int Count
        {
            get
            {
                lock (_writes)
                {
                    return _writes.Count;
                }
            }
        }

        /// <summary>Each connection's writes from the <paramref name="index"/>th write on; connections ordered by id.</summary>
        public List<List<long>> Since(int index)
        {
            lock (_writes)
            {
                return [.. _writes.Skip(index).GroupBy(w => w.ConnectionId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => g.Select(w => w.EventsApplied).ToList())];
            }
        }

        public override ValueTask WriteAsync(string connectionId, SerializedHubMessage message)
        {
            if (message.Message is InvocationMessage { Target: DashboardHub.TilesMethod } invocation)
            {
                lock (_writes)
                {
                    _writes.Add((connectionId, ((DashboardTiles)invocation.Arguments[0]!).EventsApplied));
                }
            }

            _ = base.WriteAsync(connectionId, message).AsTask();
            return ValueTask.CompletedTask;
        }
    }
}
