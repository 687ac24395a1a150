using System.Text;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Tests.Shopify;

public sealed class ShopifyWebhookNormalizerTests
{
    private static readonly StoreProfile Store = new(
        new StoreRef("acme", "main"), "Acme", SalesChannel.Shopify, "acme.myshopify.com", "EUR", "Europe/Berlin", "secret");

    private static readonly ShopifyDelivery Delivery = new("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", DateTimeOffset.Parse("2008-01-10T16:00:05Z", System.Globalization.CultureInfo.InvariantCulture));

    private static JsonObject Order() => SharedFiles.ShopifyFixture("order.json", "order");

    private static JsonObject Refund() => SharedFiles.ShopifyFixture("refund.json", "refund");

    private static ShopifyNormalizeResult Normalize(string topic, JsonNode body) =>
        ShopifyWebhookNormalizer.Normalize(topic, Encoding.UTF8.GetBytes(body.ToJsonString()), Delivery, Store);

    private static T Single<T>(ShopifyNormalizeResult result)
        where T : CommerceEvent
    {
        var ok = Assert.IsType<ShopifyNormalizeResult.Ok>(result);
        return Assert.IsType<T>(Assert.Single(ok.Events));
    }

    private static string InvalidDetail(ShopifyNormalizeResult result) => Assert.IsType<ShopifyNormalizeResult.Invalid>(result).Detail;

    [Fact]
    public void Orders_create_fixture_becomes_OrderPlaced_with_the_orders_own_totals()
    {
        var placed = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, Order()));

        Assert.Equal("450789469", placed.OrderId);
        Assert.Equal(Delivery.WebhookId, placed.EventId);
        Assert.Equal(Store.Store, placed.Store);
        Assert.Equal(SalesChannel.Shopify, placed.Channel);
        Assert.Equal("Europe/Berlin", placed.StoreTimeZone);
        Assert.Equal("USD", placed.Currency);

        // The fixture's three 199.00 lines add to 597.00, not its subtotal of 398.00: the order's totals win.
        Assert.Equal(409.94m, placed.TotalPrice);
        Assert.Equal(398.00m, placed.SubtotalPrice);
        Assert.Equal(11.94m, placed.TotalTax);
        Assert.Equal(0m, placed.TotalDiscounts);
        Assert.Equal(0m, placed.TotalShipping);

        Assert.Equal(new DateTimeOffset(2008, 1, 10, 16, 0, 0, TimeSpan.Zero), placed.PlacedAt);
        Assert.Equal(TimeSpan.Zero, placed.OccurredAt.Offset);
        Assert.Equal(placed.PlacedAt, placed.OccurredAt);
        Assert.Equal(placed.PlacedAt, placed.Version);

        Assert.Equal(
            [new OrderLine("IPOD2008GREEN", "IPod Nano - 8gb", 1, 199.00m), new OrderLine("IPOD2008RED", "IPod Nano - 8gb", 1, 199.00m), new OrderLine("IPOD2008BLACK", "IPod Nano - 8gb", 1, 199.00m)],
            placed.Lines);
        Assert.Equal("207119551", placed.CustomerId);
        Assert.False(placed.ReturningCustomer);
        Assert.Null(placed.CancelledAt);
        Assert.Equal("web", placed.SourceName);
        Assert.Equal("US", placed.CountryCode);
    }

    // Each topic's event is made in one go (not made and then copied `with` the rest): every field of order.json, for
    // each of the three order topics, to the cent. A field left out of one topic's initialiser reads as its default here.
    [Theory]
    [InlineData(ShopifyTopics.OrdersCreate)]
    [InlineData(ShopifyTopics.OrdersUpdated)]
    [InlineData(ShopifyTopics.OrdersCancelled)]
    public void Every_field_of_the_order_fixture_reaches_the_event_for_each_order_topic(string topic)
    {
        var at = new DateTimeOffset(2008, 1, 10, 16, 0, 0, TimeSpan.Zero);
        var lines = new[] { new OrderLine("IPOD2008GREEN", "IPod Nano - 8gb", 1, 199.00m), new OrderLine("IPOD2008RED", "IPod Nano - 8gb", 1, 199.00m), new OrderLine("IPOD2008BLACK", "IPod Nano - 8gb", 1, 199.00m) };
        var placed = new OrderPlaced
        {
            Store = Store.Store, Channel = SalesChannel.Shopify, EventId = Delivery.WebhookId, OccurredAt = at, StoreTimeZone = "Europe/Berlin",
            Currency = "USD", OrderId = "450789469", PlacedAt = at, Version = at, TotalPrice = 409.94m, Lines = lines,
            SubtotalPrice = 398.00m, TotalTax = 11.94m, TotalDiscounts = 0m, TotalShipping = 0m, CustomerId = "207119551", ReturningCustomer = false,
            CancelledAt = null, SourceName = "web", CountryCode = "US", LandingSite = "http://www.example.com?source=abc",
            ReferringSite = "http://www.otherexample.com", UtmSource = null, UtmMedium = null, UtmCampaign = null,
            CustomerEmailHash = OrderAttribution.HashEmail("bob.norman@hostmail.com"),
        };
        OrderEvent expected = topic switch
        {
            ShopifyTopics.OrdersCreate => placed,
            ShopifyTopics.OrdersUpdated => new OrderUpdated
            {
                Store = placed.Store, Channel = placed.Channel, EventId = placed.EventId, OccurredAt = at, StoreTimeZone = placed.StoreTimeZone,
                Currency = placed.Currency, OrderId = placed.OrderId, PlacedAt = at, Version = at, TotalPrice = placed.TotalPrice, Lines = lines,
                SubtotalPrice = placed.SubtotalPrice, TotalTax = placed.TotalTax, CustomerId = placed.CustomerId, SourceName = placed.SourceName,
                CountryCode = placed.CountryCode, LandingSite = placed.LandingSite, ReferringSite = placed.ReferringSite, CustomerEmailHash = placed.CustomerEmailHash,
            },
            _ => new OrderCancelled
            {
                Store = placed.Store, Channel = placed.Channel, EventId = placed.EventId, OccurredAt = at, StoreTimeZone = placed.StoreTimeZone,
                Currency = placed.Currency, OrderId = placed.OrderId, PlacedAt = at, Version = at, TotalPrice = placed.TotalPrice, Lines = lines,
                SubtotalPrice = placed.SubtotalPrice, TotalTax = placed.TotalTax, CustomerId = placed.CustomerId, SourceName = placed.SourceName,
                CountryCode = placed.CountryCode, LandingSite = placed.LandingSite, ReferringSite = placed.ReferringSite, CustomerEmailHash = placed.CustomerEmailHash,
                // orders/cancelled without a cancelled_at is cancelled at its version.
                CancelledAt = at,
            },
        };

        var ok = Assert.IsType<ShopifyNormalizeResult.Ok>(Normalize(topic, Order()));
        var actual = Assert.IsAssignableFrom<OrderEvent>(Assert.Single(ok.Events));

        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Lines, actual.Lines);
        // Records compare lists by reference: the lines are compared above, the other 29 fields here.
        Assert.Equal(expected, actual with { Lines = expected.Lines });
    }

    [Fact]
    public void An_amount_written_with_escaped_digits_reads_as_the_same_amount_and_one_with_spaces_is_refused()
    {
        var body = Order().ToJsonString().Replace("\"409.94\"", "\"\\u0034\\u00309.94\"", StringComparison.Ordinal);
        var escaped = ShopifyWebhookNormalizer.Normalize(ShopifyTopics.OrdersCreate, Encoding.UTF8.GetBytes(body), Delivery, Store);
        Assert.Equal(409.94m, Single<OrderPlaced>(escaped).TotalPrice);

        var order = Order();
        order["total_price"] = " 409.94";
        Assert.StartsWith("total_price: expected an amount", InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)), StringComparison.Ordinal);
        order["total_price"] = "-409.94";
        Assert.Equal(-409.94m, Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order)).TotalPrice);
    }

    // The paths of the fields read deep in the body, now spelled out only when one is wrong.
    [Theory]
    [InlineData("shipping_lines", "[{\"price\":\"1.00\"},{\"price\":true}]", "shipping_lines[1].price: expected an amount")]
    [InlineData("total_shipping_price_set", "{\"shop_money\":{\"amount\":\"x\"}}", "total_shipping_price_set.shop_money.amount: expected an amount")]
    [InlineData("billing_address", "{\"country_code\":7}", "billing_address.country_code: expected a string")]
    [InlineData("line_items", "[{\"sku\":\"A\",\"quantity\":1}]", "line_items[0].price: missing")]
    [InlineData("line_items", "[{\"sku\":\"A\",\"quantity\":1,\"price\":\"1.00\"},{\"sku\":7,\"quantity\":1,\"price\":\"1.00\"}]", "line_items[1].sku: expected a string")]
    public void A_wrong_field_deep_in_an_order_is_named_by_its_whole_path(string field, string json, string expectedStart)
    {
        var order = Order();
        order[field] = JsonNode.Parse(json);
        if (field == "billing_address")
        {
            order.Remove("shipping_address");
        }

        Assert.StartsWith(expectedStart, InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_field_deep_in_a_refund_is_named_by_its_whole_path()
    {
        var body = Refund();
        body.Remove("transactions");
        body["refund_line_items"]![1]!["line_item"]!.AsObject().Remove("price");
        Assert.Equal("refund_line_items[1].line_item.price: missing", InvalidDetail(Normalize(ShopifyTopics.RefundsCreate, body)));

        body = Refund();
        body["transactions"]![0]!["kind"] = 3;
        Assert.StartsWith("transactions[0].kind: expected a string", InvalidDetail(Normalize(ShopifyTopics.RefundsCreate, body)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_landing_pages_utm_campaign_is_the_orders_campaign_as_the_ad_platform_tagged_it()
    {
        var order = Order();
        order["landing_site"] = "/products/ipod?utm_source=facebook&utm_medium=paid&utm_campaign=Black+Friday%202026&fbclid=x";
        order["referring_site"] = "https://l.facebook.com/";

        var placed = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        Assert.Equal(("facebook", "paid", "Black Friday 2026"), (placed.UtmSource, placed.UtmMedium, placed.UtmCampaign));

        order["landing_site"] = "/?gclid=abc";
        Assert.Null(Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order)).UtmCampaign);
    }

    [Fact]
    public void Orders_updated_carries_updated_at_as_version_and_event_time()
    {
        var order = Order();
        order["updated_at"] = "2008-01-10T12:30:00-05:00";

        var updated = Single<OrderUpdated>(Normalize(ShopifyTopics.OrdersUpdated, order));

        Assert.Equal(new DateTimeOffset(2008, 1, 10, 17, 30, 0, TimeSpan.Zero), updated.Version);
        Assert.Equal(updated.Version, updated.OccurredAt);
        Assert.Equal(new DateTimeOffset(2008, 1, 10, 16, 0, 0, TimeSpan.Zero), updated.PlacedAt);
        Assert.Equal(409.94m, updated.TotalPrice);
    }

    [Fact]
    public void Orders_updated_with_cancelled_at_is_a_cancelled_order()
    {
        var order = Order();
        order["cancelled_at"] = "2008-01-11T09:00:00-05:00";
        order["updated_at"] = "2008-01-11T09:00:01-05:00";

        var cancelled = Single<OrderCancelled>(Normalize(ShopifyTopics.OrdersUpdated, order));

        Assert.Equal(new DateTimeOffset(2008, 1, 11, 14, 0, 0, TimeSpan.Zero), cancelled.CancelledAt);
        Assert.Equal(new DateTimeOffset(2008, 1, 11, 14, 0, 1, TimeSpan.Zero), cancelled.Version);
    }

    [Fact]
    public void Orders_cancelled_topic_is_a_cancelled_order()
    {
        var order = Order();
        order["cancelled_at"] = "2008-01-11T09:00:00-05:00";
        order["updated_at"] = "2008-01-11T09:00:00-05:00";

        var cancelled = Single<OrderCancelled>(Normalize(ShopifyTopics.OrdersCancelled, order));

        Assert.Equal("450789469", cancelled.OrderId);
        Assert.Equal(new DateTimeOffset(2008, 1, 11, 14, 0, 0, TimeSpan.Zero), cancelled.CancelledAt);
        Assert.Equal(409.94m, cancelled.TotalPrice);
    }

    [Fact]
    public void Guest_order_has_no_customer_and_is_not_returning()
    {
        var order = Order();
        order["customer"] = null;

        var placed = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));
        order.Remove("customer");
        var withoutKey = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        Assert.Null(placed.CustomerId);
        Assert.False(placed.ReturningCustomer);
        Assert.Null(withoutKey.CustomerId);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(7, true)]
    public void Customer_with_more_than_one_order_is_returning(int ordersCount, bool returning)
    {
        var order = Order();
        order["customer"]!["orders_count"] = ordersCount;

        Assert.Equal(returning, Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order)).ReturningCustomer);
    }

    [Fact]
    public void Money_sent_as_numbers_reads_the_same_as_money_sent_as_strings()
    {
        var order = Order();
        order["total_price"] = 409.94m;
        order["subtotal_price"] = 398;
        order["total_tax"] = 11.94m;
        order["line_items"]![0]!["price"] = 199.5m;

        var placed = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        Assert.Equal(409.94m, placed.TotalPrice);
        Assert.Equal(398m, placed.SubtotalPrice);
        Assert.Equal(11.94m, placed.TotalTax);
        Assert.Equal(199.5m, placed.Lines[0].UnitPrice);
    }

    [Fact]
    public void Shipping_comes_from_the_shipping_price_set_or_else_the_shipping_lines()
    {
        var order = Order();
        order["shipping_lines"] = new JsonArray(new JsonObject { ["price"] = "4.50" }, new JsonObject { ["price"] = "1.25" });
        var fromLines = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        order["total_shipping_price_set"] = new JsonObject { ["shop_money"] = new JsonObject { ["amount"] = "6.00", ["currency_code"] = "USD" } };
        var fromSet = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        Assert.Equal(5.75m, fromLines.TotalShipping);
        Assert.Equal(6.00m, fromSet.TotalShipping);
    }

    [Fact]
    public void Line_without_sku_is_identified_by_its_variant_then_its_product()
    {
        var order = Order();
        order["line_items"]![0]!["sku"] = string.Empty;
        order["line_items"]![1]!["sku"] = null;
        order["line_items"]![1]!["variant_id"] = null;

        var lines = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order)).Lines;

        Assert.Equal("39072856", lines[0].Sku);
        Assert.Equal("632910392", lines[1].Sku);
        Assert.Equal("IPOD2008BLACK", lines[2].Sku);
    }

    [Fact]
    public void Order_without_currency_takes_the_store_currency_and_billing_country_stands_in_for_shipping()
    {
        var order = Order();
        order.Remove("currency");
        order.Remove("shipping_address");
        order["billing_address"]!["country_code"] = "ca";

        var placed = Single<OrderPlaced>(Normalize(ShopifyTopics.OrdersCreate, order));

        Assert.Equal("EUR", placed.Currency);
        Assert.Equal("CA", placed.CountryCode);
    }

    [Theory]
    [InlineData("{\"id\": 1, \"created_at\": ")]
    [InlineData("not json")]
    [InlineData("")]
    public void Malformed_json_is_invalid(string body)
    {
        var result = ShopifyWebhookNormalizer.Normalize(ShopifyTopics.OrdersCreate, Encoding.UTF8.GetBytes(body), Delivery, Store);

        Assert.StartsWith("body: not valid JSON", InvalidDetail(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_array_body_is_invalid()
    {
        Assert.StartsWith("body: expected a JSON object", InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, new JsonArray())), StringComparison.Ordinal);
    }

    [Fact]
    public void Order_without_id_is_invalid_and_names_the_field()
    {
        var order = Order();
        order.Remove("id");

        Assert.Equal("id: missing", InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)));
    }

    [Theory]
    [InlineData("total_price", "true", "total_price: expected an amount")]
    [InlineData("total_price", "\"twelve\"", "total_price: expected an amount")]
    [InlineData("id", "{}", "id: expected a whole number or a non-empty string")]
    [InlineData("created_at", "12345", "created_at: expected an ISO-8601 timestamp")]
    [InlineData("line_items", "{}", "line_items: expected an array")]
    [InlineData("customer", "\"bob\"", "customer: expected an object or null")]
    public void Field_of_the_wrong_type_is_invalid_and_named(string field, string json, string expectedStart)
    {
        var order = Order();
        order[field] = JsonNode.Parse(json);

        Assert.StartsWith(expectedStart, InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_line_quantity_names_the_line()
    {
        var order = Order();
        order["line_items"]![1]!["quantity"] = "lots";

        Assert.StartsWith("line_items[1].quantity: expected a whole number", InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)), StringComparison.Ordinal);
    }

    [Fact]
    public void Order_without_total_price_is_invalid()
    {
        var order = Order();
        order.Remove("total_price");

        Assert.Equal("total_price: missing", InvalidDetail(Normalize(ShopifyTopics.OrdersCreate, order)));
    }

    [Fact]
    public void Delivery_without_webhook_id_is_invalid()
    {
        var result = ShopifyWebhookNormalizer.Normalize(
            ShopifyTopics.OrdersCreate, Encoding.UTF8.GetBytes(Order().ToJsonString()), new ShopifyDelivery(" ", null), Store);

        Assert.StartsWith(ShopifyHeaders.WebhookId, InvalidDetail(result), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("products/create")]
    [InlineData("customers/create")]
    [InlineData("app/uninstalled")]
    public void Unknown_topic_is_ignored_whatever_the_body(string topic)
    {
        var result = ShopifyWebhookNormalizer.Normalize(topic, "not even json"u8.ToArray(), Delivery, Store);

        Assert.Contains(topic, Assert.IsType<ShopifyNormalizeResult.Ignored>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refund_fixture_counts_its_successful_refund_transactions()
    {
        var refund = Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, Refund()));

        Assert.Equal("509562969", refund.RefundId);
        Assert.Equal("450789469", refund.OrderId);
        Assert.Equal(209.00m, refund.Amount);
        Assert.Equal(2, refund.Units);
        Assert.Equal("USD", refund.Currency);
        Assert.Equal(Delivery.WebhookId, refund.EventId);
        Assert.Equal(new DateTimeOffset(2016, 6, 20, 17, 35, 6, TimeSpan.Zero), refund.OccurredAt);
        Assert.Equal(SalesChannel.Shopify, refund.Channel);
    }

    [Fact]
    public void Refund_time_prefers_processed_at()
    {
        var body = Refund();
        body["processed_at"] = "2016-06-21T08:00:00+00:00";

        Assert.Equal(new DateTimeOffset(2016, 6, 21, 8, 0, 0, TimeSpan.Zero), Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, body)).OccurredAt);
    }

    [Fact]
    public void Failed_and_non_refund_transactions_return_no_money()
    {
        var body = Refund();
        var transactions = body["transactions"]!.AsArray();
        transactions.Add(new JsonObject { ["kind"] = "refund", ["status"] = "failure", ["amount"] = "50.00" });
        transactions.Add(new JsonObject { ["kind"] = "sale", ["status"] = "success", ["amount"] = 75 });
        transactions.Add(new JsonObject { ["kind"] = "refund", ["status"] = "success", ["amount"] = 10.5m });

        Assert.Equal(219.50m, Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, body)).Amount);
    }

    [Fact]
    public void Refund_without_transactions_is_worth_its_lines_and_their_tax()
    {
        var body = Refund();
        body.Remove("transactions");

        // refund.json's lines carry no subtotal: 2 × (1 × 199.00 + 3.98 tax).
        Assert.Equal(405.96m, Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, body)).Amount);

        body["refund_line_items"]![0]!["subtotal"] = "100.00";
        body["refund_line_items"]![0]!["total_tax"] = "6.00";
        Assert.Equal(308.98m, Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, body)).Amount);
    }

    [Fact]
    public void Refund_names_the_returned_products_for_return_rates()
    {
        var refund = Single<RefundIssued>(Normalize(ShopifyTopics.RefundsCreate, Refund()));

        // refund.json returns one of each of two iPod Nano variants at 199.00.
        Assert.Equal(
            [("IPOD2008BLACK", 1, 199.00m), ("IPOD2008GREEN", 1, 199.00m)],
            refund.Lines.Select(l => (l.Sku, l.Quantity, l.UnitPrice)));
        Assert.All(refund.Lines, l => Assert.Equal("IPod Nano - 8gb", l.Title));
    }

    [Fact]
    public void Refund_without_order_id_is_invalid()
    {
        var body = Refund();
        body.Remove("order_id");

        Assert.Equal("order_id: missing", InvalidDetail(Normalize(ShopifyTopics.RefundsCreate, body)));
    }
}
