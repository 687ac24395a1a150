using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>
/// Shopify webhooks go through the same door as every other channel: the store-currency conversion and the reporting
/// rate are applied before the engine sees the event. (Shopify once called the engine directly and skipped both.)
/// </summary>
public sealed class IngestionDoorTests(ChannelsAppFactory channels) : IClassFixture<ChannelsAppFactory>
{
    private static readonly DateTimeOffset Placed = WebAppFactory.Now.AddMinutes(-30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Shopify_order_carries_the_reporting_conversion_like_every_other_channel()
    {
        var recorded = new ConcurrentQueue<CommerceEvent>();
        // A host of its own, watching what reaches the engine behind the door.
        await using var app = new SalesDashHost(ChannelsAppFactory.Defaults with { Services = SalesDashHost.WrapIngest(inner => new RecordingIngest(recorded, inner)) });
        var client = app.CreateSignedInClient();
        var body = new TestOrder(7101, Placed, Placed, 125.00m, 1, 1, 1).ToJson("USD");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var order = Assert.IsAssignableFrom<OrderEvent>(Assert.Single(recorded));
        // The factory's reporting currency is EUR with an EUR→USD rate of 1.25 on 20 Nov: the inverse applies to a USD store.
        Assert.NotNull(order.Reporting);
        Assert.Equal("EUR", order.Reporting.Currency);
        Assert.Equal(0.8m, order.Reporting.Rate);
        Assert.Equal(new DateOnly(2026, 11, 20), order.Reporting.RateDate);
        Assert.Equal(100.00m, order.Reporting.Convert(order.TotalPrice));
    }

    [Fact]
    public async Task Shopify_order_in_a_foreign_currency_is_counted_in_the_store_currency()
    {
        var client = channels.CreateSignedInClient();
        var body = new TestOrder(7102, Placed, Placed, 100.00m, 1, 1, 1).ToJson("EUR");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // 100 EUR at 1.25 is 125 USD; the store's tiles add dollars, never euros.
        Assert.Equal(125.00m, tiles!.GrossRevenue.Value);
    }

    [Fact]
    public async Task Shopify_order_in_a_currency_without_a_rate_is_422_and_counts_nothing()
    {
        var client = channels.CreateSignedInClient();
        var body = new TestOrder(7103, Placed, Placed, 100.00m, 1, 1, 1).ToJson("JPY");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.Other, "orders/create", body), Ct);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>($"/api/tenants/{TestStore.Other.TenantId}/stores/{TestStore.Other.StoreId}/tiles", Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0m, tiles!.Orders.Value);
    }

    [Fact]
    public async Task A_webhook_the_log_does_not_take_gets_503_problem_json_and_its_retry_is_counted_once()
    {
        // Kafka mode's ingest throws IngestUnavailableException when the record's delivery report is a failure (no leader,
        // too few in-sync replicas, timed out): the first delivery of the order fails that way, the retry gets through.
        await using var app = new SalesDashHost(ChannelsAppFactory.Defaults with { Services = SalesDashHost.WrapIngest(inner => new RefusingFirstIngest(inner)) });
        var client = app.CreateSignedInClient();
        var body = new TestOrder(7103, Placed, Placed, 80.00m, 1, 1, 1).ToJson("USD");

        using (var refused = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct))
        {
            // 503, not the host's 500: "not stored, deliver it again", as the platform's retry needs.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var before = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);
        Assert.Equal(0m, before!.Orders.Value);

        using var retried = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);
        var after = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1m, after!.Orders.Value);
        Assert.Equal(80.00m, after.GrossRevenue.Value);
    }

    private sealed class RefusingFirstIngest(ICommerceEventIngest inner) : ICommerceEventIngest
    {
        private int _calls;

        public Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new IngestUnavailableException($"Kafka did not take the event {commerceEvent.EventId}: Local_MsgTimedOut")
                : inner.IngestAsync(commerceEvent, cancellationToken);
    }

    private sealed class RecordingIngest(ConcurrentQueue<CommerceEvent> recorded, ICommerceEventIngest inner) : ICommerceEventIngest
    {
        public Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
        {
            recorded.Enqueue(commerceEvent);
            return inner.IngestAsync(commerceEvent, cancellationToken);
        }
    }
}
