using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Tests.Shared;
using SalesDash.Web.Identity;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.AppData;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Tests.Stores;

/// <summary>
/// Two app nodes in one cluster, each keeping the stores its webhooks looked up for an hour: a store disconnected or
/// deleted through node A is dropped from node B's cache by the cluster notice, long before its copy would expire, and
/// B's next delivery is refused (410 disconnected, 404 deleted, problem+json) with nothing of the deleted store stored.
/// </summary>
public sealed class StoreForgetAcrossNodesTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TestStore Paused = new("fx", "paused", "fx-paused.myshopify.com", "GBP", "Europe/London", "paused-secret-0123456789");
    private static readonly TestStore Gone = new("fx", "gone", "fx-gone.myshopify.com", "GBP", "Europe/London", "gone-secret-0123456789");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_disconnected_or_deleted_through_one_node_is_refused_by_the_other_at_once_although_its_cache_would_keep_it_an_hour()
    {
        await using var appDb = await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct);
        await using var journalDb = await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct, migrate: false);
        var settings = new Dictionary<string, string>(appDb.Settings)
        {
            ["Engine:Journal"] = "PostgreSql",
            ["Engine:JournalConnectionString"] = journalDb.ConnectionString,
            ["Cluster:Hostname"] = "127.0.0.1",
            ["Cluster:Port"] = "0",
            ["Channels:SchedulerEnabled"] = "false",
            // Far longer than the test: only the cluster notice can make B read the store again.
            ["Webhooks:StoreCache:TimeToLive"] = "01:00:00",
        };

        await using var a = Node.Start(settings, seed: null);
        await using var b = Node.Start(settings, Akka.Cluster.Cluster.Get(a.System).SelfAddress.ToString());
        await ClusterViews.EveryNodeSeesUpAsync([a.System, b.System], 2, Ct);

        var directory = a.Services.GetRequiredService<IStoreDirectory>();
        foreach (var (store, name) in new[] { (Paused, "Paused Shop"), (Gone, "Gone Shop") })
        {
            await directory.UpsertAsync(new StoreProfile(new StoreRef(store.TenantId, store.StoreId), name, SalesChannel.Shopify, store.ShopDomain,
                store.Currency, store.TimeZone, store.WebhookSecret), Ct);
        }

        // B takes a delivery for each and keeps the store in its cache.
        var cacheAtB = b.Services.GetRequiredService<StoreDirectoryCache>();
        var orderId = 100L;
        foreach (var store in new[] { Paused, Gone })
        {
            var storeRef = new StoreRef(store.TenantId, store.StoreId);
            while (!cacheAtB.Holds(storeRef))
            {
                using var delivered = await UntilNotBusyAsync(() => b.CreateClient().SendAsync(Order(store, ++orderId), Ct));
                Assert.True(delivered.IsSuccessStatusCode, $"B answered {delivered.StatusCode}: {await delivered.Content.ReadAsStringAsync(Ct)}");
            }
        }

        var admin = a.CreateSignedInClient(OrgRole.Admin, "fx");

        using (var disconnected = await admin.PostAsync($"/api/tenants/fx/stores/{Paused.StoreId}/disconnect", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, disconnected.StatusCode);
        }

        await UntilAsync(() => !cacheAtB.Holds(new StoreRef(Paused.TenantId, Paused.StoreId)), "B to drop the disconnected store");
        using (var refused = await b.CreateClient().SendAsync(Order(Paused, ++orderId), Ct))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Gone, "Store disconnected");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/tenants/fx/stores/{Gone.StoreId}")
        {
            Content = JsonContent.Create(new StoreDeleteRequest("Gone Shop"), options: Json),
        })
        using (var deleted = await admin.SendAsync(request, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await UntilAsync(() => !cacheAtB.Holds(new StoreRef(Gone.TenantId, Gone.StoreId)), "B to drop the deleted store");
        using (var refused = await b.CreateClient().SendAsync(Order(Gone, ++orderId), Ct))
        {
            await AssertProblemAsync(refused, HttpStatusCode.NotFound, "Unknown store");
        }

        var journal = new JournalPurge(b.Services.GetRequiredService<IOptions<EngineOptions>>().Value);
        Assert.All(await journal.CountAsync(TenantStoreIds.PersistenceIdFor(new StoreRef(Gone.TenantId, Gone.StoreId)), Ct), table => Assert.Equal(0, table.Value));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, JsonSerializer.Deserialize<JsonElement>(body).GetProperty("title").GetString());
    }

    /// <summary>Waits for the notice to arrive (on the test's token); a deadline far past any TTL-free delivery says what never came.</summary>
    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<HttpResponseMessage> UntilNotBusyAsync(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(200, Ct);
        }
    }

    private static HttpRequestMessage Order(TestStore store, long id)
    {
        var at = WebAppFactory.Now.AddMinutes(-30);
        return ShopifyPayloads.Webhook(store, "orders/create", new TestOrder(id, at, at, 20m + id, 1, null, 0).ToJson(store.Currency));
    }

    /// <summary>One app node on the shared databases, joined to the seed (or forming the cluster).</summary>
    private sealed class Node(SalesDashHostOptions options) : SalesDashHost(options)
    {
        public ActorSystem System => Services.GetRequiredService<ActorSystem>();

        public static Node Start(IReadOnlyDictionary<string, string> shared, string? seed)
        {
            var settings = new Dictionary<string, string>(shared);
            if (seed is not null)
            {
                settings["Cluster:SeedNodes:0"] = seed;
            }

            var node = new Node(new SalesDashHostOptions { Settings = settings, Stores = [] });
            // Reading the services starts the host: the node has joined (or formed) the cluster by then.
            _ = node.Services;
            return node;
        }
    }
}
