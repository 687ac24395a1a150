using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>The webhook path's store cache: it saves the database read per delivery, and never hides a change for longer than its TTL.</summary>
public sealed class StoreDirectoryCacheTests
{
    private static readonly StoreProfile Shop = new(new StoreRef("acme", "us-shop"), "US", SalesChannel.Shopify, "acme-us.myshopify.com", "USD", "UTC", "first-secret");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deliveries_within_the_ttl_read_the_directory_once()
    {
        var (cache, directory, _) = Cache();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Shop, await cache.FindForWebhookAsync(SalesChannel.Shopify, "acme-us.myshopify.com", Ct));
            Assert.Equal(Shop, await cache.GetForWebhookAsync(Shop.Store, Ct));
        }

        Assert.Equal(1, directory.Reads);
    }

    [Fact]
    public async Task A_store_changed_through_the_directory_is_seen_by_the_next_delivery()
    {
        var (cache, _, _) = Cache();
        await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct);
        await cache.GetForWebhookAsync(Shop.Store, Ct);

        await cache.UpsertAsync(Shop with { WebhookSecret = "rotated-secret" }, Ct);

        Assert.Equal("rotated-secret", (await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct))!.WebhookSecret);
        Assert.Equal("rotated-secret", (await cache.GetForWebhookAsync(Shop.Store, Ct))!.WebhookSecret);
    }

    [Fact]
    public async Task A_store_removed_behind_the_cache_is_gone_once_the_ttl_has_passed()
    {
        var (cache, directory, clock) = Cache();
        await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct);

        directory.Remove(Shop.Store);
        var withinTtl = await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct);
        clock.Advance(TimeSpan.FromSeconds(5));
        var afterTtl = await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct);

        Assert.NotNull(withinTtl);
        Assert.Null(afterTtl);
        Assert.Null(await cache.GetForWebhookAsync(Shop.Store, Ct));
    }

    [Fact]
    public async Task Unknown_shops_are_not_cached_so_a_store_created_elsewhere_is_found_at_once()
    {
        var (cache, directory, _) = Cache(empty: true);
        Assert.Null(await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct));

        await directory.UpsertAsync(Shop, Ct);

        Assert.Equal(Shop, await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct));
    }

    private static (StoreDirectoryCache Cache, CountingDirectory Directory, FakeTimeProvider Clock) Cache(bool empty = false)
    {
        var directory = new CountingDirectory();
        if (!empty)
        {
            directory.UpsertAsync(Shop, CancellationToken.None).GetAwaiter().GetResult();
        }

        var clock = new FakeTimeProvider(WebAppFactory.Now);
        var options = Options.Create(new StoreCacheOptions { TimeToLive = TimeSpan.FromSeconds(5) });
        return (new StoreDirectoryCache(directory, options, clock), directory, clock);
    }

    private sealed class CountingDirectory : IStoreDirectory
    {
        private readonly Dictionary<StoreRef, StoreProfile> _stores = [];

        public int Reads { get; private set; }

        public void Remove(StoreRef store) => _stores.Remove(store);

        public Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(_stores.Values.FirstOrDefault(s => s.Channel == channel && s.ShopDomain == shopDomain));
        }

        public Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(_stores.GetValueOrDefault(store));
        }

        public Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoreProfile>>([.. _stores.Values]);

        public Task<IReadOnlyList<StoreProfile>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoreProfile>>([.. _stores.Values.Where(s => s.Store.TenantId == tenantId)]);

        public Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken)
        {
            _stores[profile.Store] = profile;
            return Task.CompletedTask;
        }
    }
}

/// <summary>The cache in the running app: what another node changes in the app database reaches this node's webhooks.</summary>
public sealed class StoreDirectoryCacheAppTests(ChannelsAppFactory app) : IClassFixture<ChannelsAppFactory>
{
    private static readonly DateTimeOffset Placed = WebAppFactory.Now.AddMinutes(-30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_secret_changed_on_another_node_signs_the_next_delivery()
    {
        var client = app.CreateSignedInClient();
        using (var warm = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", new TestOrder(8101, Placed, Placed, 10m, 1, 1, 1).ToJson("GBP")), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Another node writes the new secret straight to the shared database; this node's cache still holds the old one.
        var elsewhere = new EfStoreDirectory(app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>(), app.Services.GetRequiredService<IWebhookSecretProtector>());
        var london = (await elsewhere.GetAsync(new StoreRef(TestStore.London.TenantId, TestStore.London.StoreId), Ct))!;
        await elsewhere.UpsertAsync(london with { WebhookSecret = "london-rotated-secret-0123" }, Ct);
        var body = new TestOrder(8102, Placed, Placed, 20m, 1, 1, 1).ToJson("GBP");
        using var signedWithNew = await client.SendAsync(
            ShopifyPayloads.Webhook(TestStore.London, "orders/create", body, signature: ShopifyPayloads.Sign("london-rotated-secret-0123", body)), Ct);
        using var forged = await client.SendAsync(
            ShopifyPayloads.Webhook(TestStore.London, "orders/create", new TestOrder(8103, Placed, Placed, 30m, 1, 1, 1).ToJson("GBP"), signature: "bm90LXNpZ25lZA=="), Ct);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>($"/api/stores/{TestStore.London.TenantId}/{TestStore.London.StoreId}/tiles", Ct);

        Assert.Equal(HttpStatusCode.OK, signedWithNew.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(30m, tiles!.GrossRevenue.Value);
    }

    [Fact]
    public async Task A_store_deleted_on_another_node_stops_taking_webhooks_within_the_ttl()
    {
        var client = app.CreateSignedInClient();
        using (var warm = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.Other, "orders/create", new TestOrder(8201, Placed, Placed, 10m, 1, 1, 1).ToJson("EUR")), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            await db.Set<StoreRow>().Where(s => s.TenantId == TestStore.Other.TenantId && s.StoreId == TestStore.Other.StoreId).ExecuteDeleteAsync(Ct);
        }

        app.Clock.Advance(app.Services.GetRequiredService<IOptions<StoreCacheOptions>>().Value.TimeToLive);
        using var late = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.Other, "orders/create", new TestOrder(8202, Placed, Placed, 20m, 1, 1, 1).ToJson("EUR")), Ct);

        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
    }
}
