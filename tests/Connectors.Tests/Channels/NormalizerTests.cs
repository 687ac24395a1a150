using System.Text;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Shipping;
using SalesDash.Connectors.Stripe;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Connectors.WooCommerce;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Channels;

public sealed class WooCommerceNormalizerTests
{
    private static byte[] Fixture(string file) => File.ReadAllBytes(SharedFiles.Shared("fixtures", "woocommerce", file));

    [Fact]
    public void Documented_order_becomes_a_placed_order_with_its_totals_units_and_utc_times()
    {
        var result = Assert.IsType<NormalizeResult.Ok>(WooCommerceOrderNormalizer.Normalize("order.created", Fixture("wc_v3_order_create_response.json"), TestStores.UsShop));

        var order = Assert.IsType<OrderPlaced>(Assert.Single(result.Events));
        Assert.Equal("woo:727", order.OrderId);
        Assert.Equal(29.35m, order.TotalPrice);
        Assert.Equal(1.35m, order.TotalTax);
        Assert.Equal(10.00m, order.TotalShipping);
        Assert.Equal(3, order.Lines.Sum(l => l.Quantity));
        Assert.Equal(["93", "Bar3"], order.Lines.Select(l => l.Sku));
        Assert.Equal(new DateTimeOffset(2017, 3, 22, 19, 28, 2, TimeSpan.Zero), order.PlacedAt);
        Assert.Equal("USD", order.Currency);
        Assert.Equal("US", order.CountryCode);
    }

    [Fact]
    public void Cancelled_order_and_its_refunds_become_events_with_stable_ids()
    {
        var order = JsonNode.Parse(Fixture("wc_v3_order_retrieve_response.json"))!.AsObject();
        order["status"] = "cancelled";
        order["refunds"] = new JsonArray(new JsonObject { ["id"] = 731, ["reason"] = "", ["total"] = "-29.35" });

        var result = Assert.IsType<NormalizeResult.Ok>(WooCommerceOrderNormalizer.Normalize("order.updated", Encoding.UTF8.GetBytes(order.ToJsonString()), TestStores.UsShop));

        Assert.IsType<OrderCancelled>(result.Events[0]);
        var refund = Assert.IsType<RefundIssued>(result.Events[1]);
        Assert.Equal(29.35m, refund.Amount);
        Assert.Equal("woo:refund:731", refund.EventId);
    }

    [Theory]
    [InlineData("https://shop.example/?utm_source=facebook&utm_campaign=23843", "facebook", "23843")]
    [InlineData("https://shop.example/?utm_source=facebook", "facebook", "Black Friday")]
    [InlineData(null, "facebook", "Black Friday")]
    public void The_visits_campaign_comes_from_the_landing_page_else_from_the_order_attribution_meta(string? entry, string source, string campaign)
    {
        var order = JsonNode.Parse(Fixture("wc_v3_order_create_response.json"))!.AsObject();
        var meta = new JsonArray(
            new JsonObject { ["id"] = 1, ["key"] = "_wc_order_attribution_utm_source", ["value"] = "facebook" },
            new JsonObject { ["id"] = 2, ["key"] = "_wc_order_attribution_utm_campaign", ["value"] = "Black Friday" });
        if (entry is not null)
        {
            meta.Add(new JsonObject { ["id"] = 3, ["key"] = "_wc_order_attribution_session_entry", ["value"] = entry });
        }

        order["meta_data"] = meta;

        var placed = Assert.IsType<OrderPlaced>(Assert.Single(Assert.IsType<NormalizeResult.Ok>(
            WooCommerceOrderNormalizer.Normalize("order.created", Encoding.UTF8.GetBytes(order.ToJsonString()), TestStores.UsShop)).Events));

        Assert.Equal((source, campaign), (placed.UtmSource, placed.UtmCampaign));
    }

    [Fact]
    public void Pending_orders_count_nothing_and_pings_and_other_topics_are_ignored()
    {
        var order = JsonNode.Parse(Fixture("wc_v3_order_retrieve_response.json"))!.AsObject();
        order["status"] = "pending";

        var pending = Assert.IsType<NormalizeResult.Ok>(WooCommerceOrderNormalizer.Normalize("order.updated", Encoding.UTF8.GetBytes(order.ToJsonString()), TestStores.UsShop));

        Assert.Empty(pending.Events);
        Assert.IsType<NormalizeResult.Ignored>(WooCommerceOrderNormalizer.Normalize("order.created", "webhook_id=12"u8.ToArray(), TestStores.UsShop));
        Assert.IsType<NormalizeResult.Ignored>(WooCommerceOrderNormalizer.Normalize("product.updated", Fixture("wc_v3_order_retrieve_response.json"), TestStores.UsShop));
    }

    [Fact]
    public void Malformed_body_names_the_field()
    {
        var invalid = Assert.IsType<NormalizeResult.Invalid>(WooCommerceOrderNormalizer.Normalize("order.created", "{\"id\": 1, \"total\": \"lots\", \"date_created_gmt\": \"2017-03-22T19:28:02\"}"u8.ToArray(), TestStores.UsShop));
        var notJson = Assert.IsType<NormalizeResult.Invalid>(WooCommerceOrderNormalizer.Normalize("order.created", "{\"id\": "u8.ToArray(), TestStores.UsShop));

        Assert.StartsWith("total:", invalid.Detail, StringComparison.Ordinal);
        Assert.StartsWith("body:", notJson.Detail, StringComparison.Ordinal);
    }
}

public sealed class StripeNormalizerTests
{
    private static readonly JsonObject Resources = JsonNode.Parse(File.ReadAllText(SharedFiles.Shared("fixtures", "stripe", "fixtures3.json")))!["resources"]!.AsObject();

    /// <summary>An event envelope (fixtures3.json "event") carrying one of Stripe's own fixture objects.</summary>
    private static byte[] Event(string type, JsonObject item)
    {
        var envelope = Resources["event"]!.DeepClone().AsObject();
        envelope["type"] = type;
        envelope["data"] = new JsonObject { ["object"] = item };
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    [Fact]
    public void Captured_charge_is_an_order_in_major_units()
    {
        var charge = Resources["charge"]!.DeepClone().AsObject();
        charge["captured"] = true;
        charge["amount"] = 1099;
        charge["amount_captured"] = 1099;

        var result = Assert.IsType<NormalizeResult.Ok>(StripeEventNormalizer.Normalize(Event("charge.succeeded", charge), TestStores.UsShop));

        var order = Assert.IsType<OrderPlaced>(Assert.Single(result.Events));
        Assert.Equal(10.99m, order.TotalPrice);
        Assert.Equal("USD", order.Currency);
        Assert.Equal("stripe:ch_1PgafuB7WZ01zgkWXYmPNZs8", order.OrderId);
        Assert.Equal((string)Resources["event"]!["id"]!, order.EventId);
    }

    [Fact]
    public void Zero_decimal_currency_is_not_divided()
    {
        var charge = Resources["charge"]!.DeepClone().AsObject();
        charge["captured"] = true;
        charge["currency"] = "jpy";
        charge["amount_captured"] = 1099;

        var order = (OrderPlaced)Assert.IsType<NormalizeResult.Ok>(StripeEventNormalizer.Normalize(Event("charge.succeeded", charge), TestStores.UsShop)).Events[0];

        Assert.Equal(1099m, order.TotalPrice);
        Assert.Equal("JPY", order.Currency);
    }

    [Fact]
    public void Uncaptured_charge_and_untracked_types_are_ignored()
    {
        // Stripe's fixture charge is authorised but not captured ("captured": false).
        Assert.IsType<NormalizeResult.Ignored>(StripeEventNormalizer.Normalize(Event("charge.succeeded", Resources["charge"]!.DeepClone().AsObject()), TestStores.UsShop));
        Assert.IsType<NormalizeResult.Ignored>(StripeEventNormalizer.Normalize(Event("checkout.session.completed", Resources["checkout.session"]!.DeepClone().AsObject()), TestStores.UsShop));
    }

    [Fact]
    public void Succeeded_refund_is_money_returned_keyed_by_the_refund()
    {
        var result = Assert.IsType<NormalizeResult.Ok>(StripeEventNormalizer.Normalize(Event("refund.created", Resources["refund"]!.DeepClone().AsObject()), TestStores.UsShop));

        var refund = Assert.IsType<RefundIssued>(Assert.Single(result.Events));
        Assert.Equal(1.00m, refund.Amount);
        Assert.Equal("stripe:refund:re_1Pgc72B7WZ01zgkWqPvrRrPE", refund.EventId);
        Assert.Equal("stripe:ch_1PgafuB7WZ01zgkWXYmPNZs8", refund.OrderId);
    }

    [Fact]
    public void Event_without_data_object_is_invalid()
    {
        var invalid = Assert.IsType<NormalizeResult.Invalid>(StripeEventNormalizer.Normalize("{\"id\":\"evt_1\",\"type\":\"charge.succeeded\",\"created\":1}"u8.ToArray(), TestStores.UsShop));

        Assert.StartsWith("data:", invalid.Detail, StringComparison.Ordinal);
    }
}

public sealed class PayPalNormalizerTests
{
    [Fact]
    public void Completed_capture_and_its_refund_land_on_the_same_order()
    {
        var sale = (OrderPlaced)Assert.IsType<NormalizeResult.Ok>(PayPalEventNormalizer.Normalize(Encoding.UTF8.GetBytes(PayPalSamples.CaptureCompleted), TestStores.UsShop)).Events[0];
        var refund = (RefundIssued)Assert.IsType<NormalizeResult.Ok>(PayPalEventNormalizer.Normalize(Encoding.UTF8.GetBytes(PayPalSamples.CaptureRefunded), TestStores.UsShop)).Events[0];

        Assert.Equal(2.51m, sale.TotalPrice);
        Assert.Equal("paypal:27M47624FP291604U", sale.OrderId);
        Assert.Equal("WH-58D329510W468432D-8HN650336L201105X", sale.EventId);
        Assert.Equal(0.99m, refund.Amount);
        Assert.Equal("paypal:0JF852973C016714D", refund.OrderId);
        Assert.Equal(new DateTimeOffset(2018, 8, 15, 19, 13, 29, TimeSpan.Zero), refund.OccurredAt);
    }
}

public sealed class EasyPostNormalizerTests
{
    [Fact]
    public void Official_tracker_event_gives_the_parcel_state()
    {
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Support", "easypost-event-body.json"));

        var update = Assert.IsType<ShipmentNormalizeResult.Ok>(EasyPostTrackerNormalizer.Normalize(body)).Update;

        Assert.Equal("evt_1", update.EventId);
        Assert.Equal("1", update.TrackingCode);
        Assert.Equal("FedEx", update.Carrier);
        Assert.Equal("in_transit", update.Status);
        Assert.Equal(new DateTimeOffset(2024, 8, 5, 0, 0, 0, TimeSpan.Zero), update.EstimatedDelivery);
    }
}
