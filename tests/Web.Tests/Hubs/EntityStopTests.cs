using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>
/// A store's entity stops while screens watch it (passivated, handed off to another node, or its node went down) and a
/// later order starts it again, or it restarts after a failure: the screens get that order's tiles at once. The periodic refresh is set to a day, so only the relay's
/// watch of the entity itself can bring them (before, screens waited up to the refresh, 15 s by default).
/// </summary>
public sealed class EntityStopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_screen_gets_the_next_change_of_a_store_whose_entity_stopped_or_restarted()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = new Dictionary<string, string> { ["Hubs:TileRefreshInterval"] = "1.00:00:00" },
        });
        var store = TestStore.London;
        var pushes = Channel.CreateUnbounded<long>();
        await using var screen = app.CreateSignedInHubConnection(OrgRole.Viewer, store.TenantId);
        screen.On<DashboardTiles>(DashboardHub.TilesMethod, t => pushes.Writer.TryWrite(t.EventsApplied));
        await screen.StartAsync(Ct);
        Assert.Equal(0, (await screen.InvokeAsync<DashboardTiles>("Subscribe", store.TenantId, store.StoreId, Ct)).EventsApplied);

        var client = app.CreateSignedInClient();
        await PostOrderAsync(client, store, 910001);
        await TilePushes.SeenAsync(pushes.Reader, 1);

        // The entity is passivated, as its shard passivates an idle one (its journal keeps the order): the shard tells it
        // to stop, and holds the store's messages back until it has stopped, then starts it again for them.
        var system = app.Services.GetRequiredService<ActorSystem>();
        var region = await app.Services.GetRequiredService<ActorRegistry>().GetAsync<TenantStoreRegion>(Ct);
        var entity = await EntityAsync(system, region, new StoreRef(store.TenantId, store.StoreId));
        var stopped = entity.WatchAsync(Ct);
        system.ActorSelection(entity.Path.Parent).Tell(new Passivate(TenantStoreActor.Stop.Instance), entity);
        Assert.True(await stopped);

        // The next order (its POST answered once the entity started again and recorded it) reaches the screen.
        await PostOrderAsync(client, store, 910002);
        await TilePushes.SeenAsync(pushes.Reader, 2);

        // The entity restarts after a failure (what its supervisor does when a handler throws): the same actor, so no
        // death watch fires, and a new incarnation that has forgotten the relay. The next order still reaches the screen.
        entity = await EntityAsync(system, region, new StoreRef(store.TenantId, store.StoreId));
        ((IInternalActorRef)entity).SendSystemMessage(new Akka.Dispatch.SysMsg.Recreate(new InvalidOperationException("a handler failed")));
        await PostOrderAsync(client, store, 910003);
        await TilePushes.SeenAsync(pushes.Reader, 3);
    }

    private static async Task PostOrderAsync(HttpClient client, TestStore store, long id)
    {
        var at = WebAppFactory.Now.AddMinutes(-10);
        var order = new TestOrder(id, at, at, 25.50m, 1, null, 0);
        using var response = await client.SendAsync(ShopifyPayloads.Webhook(store, "orders/create", order.ToJson("GBP"), $"create-{id}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The store's entity: the sender of the tiles it answers a watch with.</summary>
    private static async Task<IActorRef> EntityAsync(ActorSystem system, IActorRef region, StoreRef store)
    {
        var found = new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finder = system.ActorOf(Props.Create(() => new EntityFinder(found)));
        region.Tell(new TenantStore.WatchTiles(store, "GBP", "Europe/London"), finder);
        var entity = await found.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        region.Tell(new TenantStore.UnwatchTiles(store), finder);
        return entity;
    }

    private sealed class EntityFinder : ReceiveActor
    {
        public EntityFinder(TaskCompletionSource<IActorRef> found) => Receive<TenantStore.TilesPublished>(_ => found.TrySetResult(Sender));
    }
}
