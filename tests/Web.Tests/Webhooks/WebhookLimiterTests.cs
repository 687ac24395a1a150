using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Shopify;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Tests.Webhooks;

public sealed class WebhookLimiterTests
{
    [Fact]
    public void A_busy_store_has_128_deliveries_in_hand_at_once_so_one_group_commit_can_hold_them_and_another_store_behind_the_same_address_keeps_its_own_slots()
    {
        using var limiter = new WebhookLimiter(Options.Create(new WebhookLimitOptions()));
        var leases = new List<RateLimitLease>();
        try
        {
            // The store's group commit holds what is in hand while the previous commit runs: at 16 slots a busy store
            // paid a journal transaction and fsync for every 16 webhooks. Every delivery here comes from one address, as
            // a platform's do, so the address's own limit must leave room for the second store.
            for (var i = 0; i < 128; i++)
            {
                leases.Add(limiter.AttemptAcquire(Delivery("busy-shop.myshopify.com")));
            }

            Assert.All(leases, lease => Assert.True(lease.IsAcquired));

            using var oneMore = limiter.AttemptAcquire(Delivery("busy-shop.myshopify.com"));
            Assert.False(oneMore.IsAcquired);

            using var otherStore = limiter.AttemptAcquire(Delivery("quiet-shop.myshopify.com"));
            Assert.True(otherStore.IsAcquired);
        }
        finally
        {
            leases.ForEach(lease => lease.Dispose());
        }
    }

    private static DefaultHttpContext Delivery(string shopDomain)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers[ShopifyHeaders.ShopDomain] = shopDomain;
        return http;
    }
}
