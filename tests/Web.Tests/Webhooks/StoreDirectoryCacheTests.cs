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

    [Fact]
    public async Task A_flood_of_forged_signatures_reads_each_store_at_most_once_per_ttl()
    {
        var (cache, directory, clock) = Cache();
        var other = Shop with { Store = new StoreRef("globex", "shop"), ShopDomain = "globex.myshopify.com", WebhookSecret = "globex-secret" };
        await directory.UpsertAsync(other, Ct);
        // A correctly signed delivery for each store first: the cache holds both.
        Assert.True(await DeliverAsync(cache, Shop.ShopDomain, Shop.WebhookSecret));
        Assert.True(await DeliverAsync(cache, other.ShopDomain, other.WebhookSecret));

        for (var ttl = 0; ttl < 3; ttl++)
        {
            var before = (directory.ReadsOf(Shop.Store), directory.ReadsOf(other.Store));
            var refused = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => DeliverAsync(cache, i % 2 == 0 ? Shop.ShopDomain : other.ShopDomain, "forged")));

            Assert.All(refused, accepted => Assert.False(accepted));
            Assert.True(directory.ReadsOf(Shop.Store) - before.Item1 <= 1, $"{directory.ReadsOf(Shop.Store) - before.Item1} reads of {Shop.Store} in TTL {ttl}");
            Assert.True(directory.ReadsOf(other.Store) - before.Item2 <= 1, $"{directory.ReadsOf(other.Store) - before.Item2} reads of {other.Store} in TTL {ttl}");
            clock.Advance(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task Forgeries_arriving_together_share_one_read()
    {
        var (cache, directory, _) = Cache();
        await cache.FindForWebhookAsync(SalesChannel.Shopify, Shop.ShopDomain, Ct);
        var reads = directory.Reads;
        directory.Hold();

        var refreshes = Enumerable.Range(0, 50).Select(_ => cache.RefreshAsync(Shop.Store, Ct)).ToArray();
        directory.Release();

        Assert.All(await Task.WhenAll(refreshes), profile => Assert.Equal(Shop, profile));
        Assert.Equal(reads + 1, directory.Reads);
    }

    [Fact]
    public async Task A_secret_rotated_on_another_node_is_accepted_within_one_ttl_of_a_flood_of_forgeries()
    {
        var (cache, directory, clock) = Cache();
        Assert.True(await DeliverAsync(cache, Shop.ShopDomain, Shop.WebhookSecret));
        Assert.False(await DeliverAsync(cache, Shop.ShopDomain, "forged"));

        // Another node rotates the secret in the shared database, behind this node's cache.
        await directory.UpsertAsync(Shop with { WebhookSecret = "rotated-secret" }, Ct);
        var refusedWithin = await DeliverAsync(cache, Shop.ShopDomain, "rotated-secret");
        clock.Advance(TimeSpan.FromSeconds(5));
        var acceptedAfter = await DeliverAsync(cache, Shop.ShopDomain, "rotated-secret");

        // Refused for at most one TTL after the flood's re-read (the platform retries), then accepted.
        Assert.False(refusedWithin);
        Assert.True(acceptedAfter);
    }

    [Fact]
    public async Task A_secret_rotated_on_another_node_is_accepted_at_once_when_nothing_was_refused_lately()
    {
        var (cache, directory, _) = Cache();
        Assert.True(await DeliverAsync(cache, Shop.ShopDomain, Shop.WebhookSecret));

        await directory.UpsertAsync(Shop with { WebhookSecret = "rotated-secret" }, Ct);

        Assert.True(await DeliverAsync(cache, Shop.ShopDomain, "rotated-secret"));
    }

    /// <summary>What the Shopify webhook door does with a delivery signed with <paramref name="secret"/>: whether it is accepted.</summary>
    private static async Task<bool> DeliverAsync(StoreDirectoryCache cache, string domain, string secret)
    {
        var profile = await cache.FindForWebhookAsync(SalesChannel.Shopify, domain, Ct);
        if (profile is null || profile.WebhookSecret == secret)
        {
            return profile is not null;
        }

        profile = await cache.RefreshAsync(profile.Store, Ct);
        return profile?.WebhookSecret == secret;
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

    /// <summary>A directory in memory that counts its reads, per store found, and can hold reads until released.</summary>
    private sealed class CountingDirectory : IStoreDirectory
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<StoreRef, StoreProfile> _stores = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<StoreRef, int> _readsOf = new();
        private TaskCompletionSource _gate = CompletedGate();
        private int _reads;

        public int Reads => _reads;

        public int ReadsOf(StoreRef store) => _readsOf.GetValueOrDefault(store);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public void Remove(StoreRef store) => _stores.TryRemove(store, out _);

        public async Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken)
        {
            await _gate.Task;
            return Counted(_stores.Values.FirstOrDefault(s => s.Channel == channel && s.ShopDomain == shopDomain));
        }

        public async Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken)
        {
            await _gate.Task;
            return Counted(_stores.GetValueOrDefault(store));
        }

        private StoreProfile? Counted(StoreProfile? found)
        {
            Interlocked.Increment(ref _reads);
            if (found is not null)
            {
                _readsOf.AddOrUpdate(found.Store, 1, (_, n) => n + 1);
            }

            return found;
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
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
        var tiles = await client.GetFromJsonAsync<DashboardTiles>($"/api/tenants/{TestStore.London.TenantId}/stores/{TestStore.London.StoreId}/tiles", Ct);

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
