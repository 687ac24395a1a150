using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Channels;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>
/// Issue 14, point 8: generated hostile and malformed deliveries, correctly signed, mixed with valid orders, at every
/// webhook endpoint of the running app. Whatever arrives: no 5xx, the store keeps answering and accepting, and its
/// figures move by exactly what an oracle adds up over the valid orders alone.
/// </summary>
public sealed class HostileWebhookPropertyTests(ChannelsAppFactory app) : IClassFixture<ChannelsAppFactory>
{
    private const string WooSecret = "woo-secret";
    private const string StripeSecret = "whsec_property";
    private const string EasyPostSecret = "easypost-secret";

    private static readonly DateTimeOffset Now = WebAppFactory.Now;
    private static int _nextId = 1_000;

    private enum Endpoint
    {
        Shopify,
        WooCommerce,
        Stripe,
        PayPal,
        Shipping,
    }

    /// <summary>One delivery; <see cref="Valid"/> is known by construction, never by asking the app.</summary>
    private sealed record Delivery(Endpoint Endpoint, bool Valid, decimal Total, int Units, string Label, Func<int, byte[]> Body)
    {
        public override string ToString() => $"{Endpoint} {(Valid ? "valid" : "hostile")}: {Label}";
    }

    /// <summary>Values that make a required field unusable, whatever the endpoint: every one of them must be refused.</summary>
    private static readonly (string Label, JsonNode? Value)[] HostileNumbers =
    [
        ("two billion", JsonValue.Create(2_000_000_000L)),
        ("negative", JsonValue.Create(-5)),
        ("zero quantity", JsonValue.Create(0)),
        ("NaN string", JsonValue.Create("NaN")),
        ("Infinity string", JsonValue.Create("Infinity")),
        ("exponent string", JsonValue.Create("1e400")),
        ("past decimal", JsonValue.Create("79228162514264337593543950336")),
        ("past long", JsonNode.Parse("99999999999999999999999")),
        ("fraction", JsonValue.Create(1.5)),
        ("boolean", JsonValue.Create(true)),
        ("empty string", JsonValue.Create(string.Empty)),
        ("array", new JsonArray(1, 2)),
        ("object", new JsonObject { ["value"] = 1 }),
        ("null", null),
    ];

    /// <summary>Amounts no order can have: negative, past the guard's trillion (also in Stripe's minor units), or not amounts.
    /// Zero and fractions are honest amounts (a fully discounted order), so they are not here.</summary>
    private static readonly (string Label, JsonNode? Value)[] HostileAmounts =
    [
        ("negative", JsonValue.Create(-5)),
        ("ten quadrillion", JsonValue.Create(10_000_000_000_000_000L)),
        ("NaN string", JsonValue.Create("NaN")),
        ("Infinity string", JsonValue.Create("-Infinity")),
        ("exponent string", JsonValue.Create("1e400")),
        ("past decimal", JsonValue.Create("79228162514264337593543950336")),
        ("past long", JsonNode.Parse("99999999999999999999999")),
        ("boolean", JsonValue.Create(false)),
        ("empty string", JsonValue.Create(string.Empty)),
        ("array", new JsonArray(1, 2)),
        ("object", new JsonObject { ["value"] = 1 }),
        ("null", null),
    ];

    private static readonly (string Label, JsonNode? Value)[] HostileDates =
    [
        ("year one", JsonValue.Create("0001-01-01T00:00:00Z")),
        ("Unix zero", JsonValue.Create("1970-01-01T00:00:00Z")),
        ("far future", JsonValue.Create("2099-01-01T00:00:00Z")),
        ("end of time", JsonValue.Create("9999-12-31T23:59:59Z")),
        ("not a date", JsonValue.Create("yesterday-ish")),
        ("number", JsonValue.Create(12345)),
        ("null", null),
    ];

    /// <summary>Titles and SKUs a real shop has: they must be counted like any other.</summary>
    private static readonly string[] HonestText = ["Mug", "Tasse à café ☕", "茶碗", "כוס", "🧦 Socks ×2", "Ünïcödé\u0301", "O'Brien \"Deluxe\" <b>", new string('x', 200)];

    [Fact]
    public async Task Hostile_and_valid_deliveries_at_every_endpoint_never_5xx_never_stop_the_store_and_count_only_the_valid()
    {
        var client = app.CreateSignedInClient();
        await Task.Run(() => Connect(client), TestContext.Current.CancellationToken);

        // FsCheck runs properties synchronously; the HTTP calls inside block on a pool thread, never the test's.
        await Task.Run(() => CheckProperty(client), TestContext.Current.CancellationToken);

        // And it still accepts an ordinary order afterwards.
        var last = Interlocked.Increment(ref _nextId);
        using var ordinary = await client.SendAsync(Request(Endpoint.Shopify, ShopifyOrder(last, 12.34m, 2, "Mug", Placed(last))), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ordinary.StatusCode);
    }

    private void CheckProperty(HttpClient client)
    {
        var deliveries = Gen.Frequency((3, ValidDelivery()), (4, HostileDelivery())).ListOf().Select(list => list.Take(12).ToArray());
        Prop.ForAll(deliveries.ToArbitrary(), batch =>
        {
            var before = Tiles(client);
            var answers = new List<string>();
            foreach (var delivery in batch)
            {
                var id = Interlocked.Increment(ref _nextId);
                using var response = client.SendAsync(Request(delivery.Endpoint, delivery.Body(id)), TestContext.Current.CancellationToken).GetAwaiter().GetResult();
                var status = (int)response.StatusCode;
                answers.Add($"{delivery} -> {status}");
                if (status >= 500 || (delivery.Valid && status != 200) || (!delivery.Valid && status == 200 && !Ignored(response)))
                {
                    return false.Label(string.Join("\n", answers) + "\n" + response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                }
            }

            // The store still answers, and moved by the oracle's sum over the valid orders only.
            var after = Tiles(client);
            var valid = batch.Where(d => d.Valid && d.Endpoint != Endpoint.Shipping).ToArray();
            var expected = (before.GrossRevenue.Value + valid.Sum(d => d.Total), before.Orders.Value + valid.Length, before.UnitsSold.Value + valid.Sum(d => d.Units));
            var actual = (after.GrossRevenue.Value, after.Orders.Value, after.UnitsSold.Value);
            return (expected == actual).Label($"expected {expected}, got {actual}\n{string.Join("\n", answers)}");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true));
    }

    private static bool Ignored(HttpResponseMessage response) =>
        response.Content.ReadAsStringAsync().GetAwaiter().GetResult().Contains("\"outcome\":\"ignored", StringComparison.Ordinal);

    private DashboardTiles Tiles(HttpClient client) =>
        client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", TestContext.Current.CancellationToken).GetAwaiter().GetResult()!;

    private static DateTimeOffset Placed(int id) => Now.AddMinutes(-(id % 600) - 1);

    private static Gen<Delivery> ValidDelivery() =>
        from endpoint in Gen.Elements(Enum.GetValues<Endpoint>())
        from pence in Gen.Choose(1, 5_000_000)
        from units in Gen.Choose(1, 1_000)
        from title in Gen.Elements(HonestText)
        let total = pence / 100m
        select endpoint switch
        {
            Endpoint.Shopify => new Delivery(endpoint, true, total, units, $"{total} x{units} '{title}'", id => ShopifyOrder(id, total, units, title, Placed(id))),
            Endpoint.WooCommerce => new Delivery(endpoint, true, total, units, $"{total} x{units} '{title}'", id => WooOrder(id, total, units, title, Placed(id))),
            Endpoint.Stripe => new Delivery(endpoint, true, total, 0, $"{total}", id => StripeCharge(id, total, Placed(id))),
            Endpoint.PayPal => new Delivery(endpoint, true, total, 0, $"{total}", id => PayPalCapture(id, total, Placed(id))),
            _ => new Delivery(endpoint, true, 0m, 0, "tracker", id => Tracker(id, JsonValue.Create(Placed(id).ToString("O", CultureInfo.InvariantCulture)))),
        };

    private static Gen<Delivery> HostileDelivery()
    {
        // A valid order with one required field spoiled.
        var spoiled =
            from endpoint in Gen.Elements(Endpoint.Shopify, Endpoint.WooCommerce, Endpoint.Stripe, Endpoint.PayPal)
            from field in Gen.Elements("quantity", "total", "date", "id")
            from number in Gen.Elements(HostileNumbers)
            from amount in Gen.Elements(HostileAmounts)
            from date in Gen.Elements(HostileDates)
            let usable = field switch
            {
                // Money and quantities accept none of the hostile numbers; Stripe and PayPal orders have no lines.
                "quantity" => endpoint is Endpoint.Shopify or Endpoint.WooCommerce,
                // An id may be any non-empty string or whole number, so only the kinds no id can be are used.
                "id" => number.Label is "empty string" or "array" or "object" or "null" or "boolean" or "fraction" or "past long",
                _ => true,
            }
            where usable
            let chosen = field switch { "date" => date, "total" => amount, _ => number }
            let value = chosen.Value
            let label = $"{field} = {chosen.Label}"
            select new Delivery(endpoint, false, 0m, 0, label, id => Spoil(endpoint, id, field, value));

        // Bodies that are not orders at all.
        var junk = from endpoint in Gen.Elements(Enum.GetValues<Endpoint>())
                   from body in Gen.Elements(
                       ("deep JSON", Encoding.UTF8.GetBytes(new string('[', 5_000) + new string(']', 5_000))),
                       ("deep objects", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300))),
                       ("array root", "[1,2,3]"u8.ToArray()),
                       ("truncated", "{\"id\": 7, \"total_price\": "u8.ToArray()),
                       ("lone surrogate", "{\"id\":\"\\ud800\",\"event_type\":\"\\udfff\"}"u8.ToArray()),
                       ("invalid UTF-8", new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }),
                       ("empty", Array.Empty<byte>()),
                       ("null", "null"u8.ToArray()))
                   select new Delivery(endpoint, false, 0m, 0, body.Item1, _ => body.Item2);

        var hostileTracker = from date in Gen.Elements(HostileDates)
                             select new Delivery(Endpoint.Shipping, false, 0m, 0, $"tracker updated_at = {date.Label}", id => Tracker(id, date.Value));

        return Gen.Frequency((6, spoiled), (2, junk), (1, hostileTracker));
    }

    private static byte[] Spoil(Endpoint endpoint, int id, string field, JsonNode? value)
    {
        var body = endpoint switch
        {
            Endpoint.Shopify => ShopifyOrder(id, 10m, 1, "Mug", Placed(id)),
            Endpoint.WooCommerce => WooOrder(id, 10m, 1, "Mug", Placed(id)),
            Endpoint.Stripe => StripeCharge(id, 10m, Placed(id)),
            _ => PayPalCapture(id, 10m, Placed(id)),
        };
        var root = JsonNode.Parse(body)!.AsObject();
        var target = (endpoint, field) switch
        {
            (Endpoint.Shopify or Endpoint.WooCommerce, "quantity") => (root["line_items"]![0]!.AsObject(), "quantity"),
            (Endpoint.Shopify, "total") => (root, "total_price"),
            (Endpoint.Shopify, "date") => (root, "created_at"),
            (Endpoint.WooCommerce, "total") => (root, "total"),
            (Endpoint.WooCommerce, "date") => (root, "date_created_gmt"),
            (Endpoint.Stripe, "total") => (root["data"]!["object"]!.AsObject(), "amount"),
            (Endpoint.Stripe, "date") => (root["data"]!["object"]!.AsObject(), "created"),
            (Endpoint.Stripe, "id") => (root, "id"),
            (Endpoint.PayPal, "total") => (root["resource"]!["amount"]!.AsObject(), "value"),
            (Endpoint.PayPal, "date") => (root["resource"]!.AsObject(), "create_time"),
            (Endpoint.PayPal, "id") => (root, "id"),
            _ => (root, "id"),
        };
        target.Item1[target.Item2] = value?.DeepClone();

        // WooCommerce falls back to date_created when date_created_gmt is unusable only if it is absent; remove both.
        if (endpoint == Endpoint.WooCommerce && field == "date")
        {
            root.Remove("date_created");
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("F2", CultureInfo.InvariantCulture);

    private static byte[] ShopifyOrder(int id, decimal total, int units, string title, DateTimeOffset placed) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = id,
        ["name"] = $"#{id}",
        ["created_at"] = Iso(placed),
        ["updated_at"] = Iso(placed),
        ["currency"] = "GBP",
        ["total_price"] = Money(total),
        ["line_items"] = new JsonArray(new JsonObject { ["sku"] = $"SKU-{id}", ["title"] = title, ["quantity"] = units, ["price"] = Money(total / units) }),
    }.ToJsonString());

    private static byte[] WooOrder(int id, decimal total, int units, string title, DateTimeOffset placed) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = id,
        ["status"] = "processing",
        ["currency"] = "GBP",
        ["date_created_gmt"] = placed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        ["date_modified_gmt"] = placed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        ["total"] = Money(total),
        ["line_items"] = new JsonArray(new JsonObject { ["sku"] = $"W-{id}", ["name"] = title, ["quantity"] = units, ["price"] = total / units }),
    }.ToJsonString());

    private static byte[] StripeCharge(int id, decimal total, DateTimeOffset placed)
    {
        var created = placed.ToUnixTimeSeconds();
        return Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = $"evt_{id}",
            ["object"] = "event",
            ["created"] = created,
            ["type"] = "charge.succeeded",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = $"ch_{id}", ["object"] = "charge", ["amount"] = (long)(total * 100), ["currency"] = "gbp", ["created"] = created,
                    ["captured"] = true, ["paid"] = true, ["status"] = "succeeded", ["payment_intent"] = $"pi_{id}",
                },
            },
        }.ToJsonString());
    }

    private static byte[] PayPalCapture(int id, decimal total, DateTimeOffset placed) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = $"WH-{id}",
        ["create_time"] = Iso(placed),
        ["resource_type"] = "capture",
        ["event_type"] = "PAYMENT.CAPTURE.COMPLETED",
        ["resource"] = new JsonObject
        {
            ["amount"] = new JsonObject { ["currency_code"] = "GBP", ["value"] = Money(total) },
            ["create_time"] = Iso(placed),
            ["update_time"] = Iso(placed),
            ["id"] = $"CAP{id}",
            ["status"] = "COMPLETED",
        },
    }.ToJsonString());

    private static byte[] Tracker(int id, JsonNode? updatedAt) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["description"] = "tracker.updated",
        ["id"] = $"evt_t{id}",
        ["object"] = "Event",
        ["updated_at"] = updatedAt?.DeepClone(),
        ["result"] = new JsonObject
        {
            ["id"] = $"trk_{id}", ["object"] = "Tracker", ["tracking_code"] = $"TC{id}", ["status"] = "in_transit",
            ["updated_at"] = updatedAt?.DeepClone(), ["carrier"] = "UPS",
        },
    }.ToJsonString());

    private HttpRequestMessage Request(Endpoint endpoint, byte[] body)
    {
        var path = endpoint switch
        {
            Endpoint.Shopify => "/webhooks/shopify",
            Endpoint.WooCommerce => "/webhooks/woocommerce/acme/uk-shop",
            Endpoint.Stripe => "/webhooks/stripe/acme/uk-shop",
            Endpoint.PayPal => "/webhooks/paypal/acme/uk-shop",
            _ => "/webhooks/shipping/easypost/acme/uk-shop",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        switch (endpoint)
        {
            case Endpoint.Shopify:
                request.Headers.Add("X-Shopify-Topic", "orders/create");
                request.Headers.Add("X-Shopify-Shop-Domain", TestStore.London.ShopDomain);
                request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
                request.Headers.Add("X-Shopify-Hmac-Sha256", ShopifyPayloads.Sign(TestStore.London.WebhookSecret, body));
                break;
            case Endpoint.WooCommerce:
                request.Headers.Add("X-WC-Webhook-Topic", "order.created");
                request.Headers.Add("X-WC-Webhook-Signature", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WooSecret), body)));
                break;
            case Endpoint.Stripe:
                var timestamp = app.Clock.GetUtcNow().ToUnixTimeSeconds();
                var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeSecret), (byte[])[.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body]));
                request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={timestamp},v1={signature}");
                break;
            case Endpoint.PayPal:
                // Verified online by PayPal (the fake upstream below answers SUCCESS, as PayPal does for a genuine delivery).
                request.Headers.Add("PAYPAL-TRANSMISSION-ID", Guid.NewGuid().ToString());
                request.Headers.Add("PAYPAL-TRANSMISSION-TIME", Iso(app.Clock.GetUtcNow()));
                request.Headers.Add("PAYPAL-TRANSMISSION-SIG", "genuine");
                request.Headers.Add("PAYPAL-CERT-URL", "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77");
                request.Headers.Add("PAYPAL-AUTH-ALGO", "SHA256withRSA");
                break;
            default:
                request.Headers.TryAddWithoutValidation("X-Hmac-Signature",
                    "hmac-sha256-hex=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(EasyPostSecret), body)));
                break;
        }

        return request;
    }

    private void Connect(HttpClient client)
    {
        app.Upstream.On("api-m.paypal.com/v1/oauth2/token", _ => FakeUpstream.Json(
            """{"scope":"https://uri.paypal.com/services/payments/payment/authcapture","access_token":"A21AAF-token","token_type":"Bearer","app_id":"APP-1","expires_in":32400,"nonce":"n"}"""));
        app.Upstream.On("api-m.paypal.com/v1/notifications/verify-webhook-signature", _ => FakeUpstream.Json("""{"verification_status":"SUCCESS"}"""));
        (string Channel, ChannelConnectionRequest Request)[] connections =
        [
            ("woocommerce", new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = WooSecret }, null)),
            ("stripe", new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = StripeSecret }, null)),
            ("paypal", new ChannelConnectionRequest(true, new() { ["webhookId"] = "WH-ID" }, new() { ["clientId"] = "id", ["clientSecret"] = "secret" }, null)),
            ("shipping", new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = EasyPostSecret }, null)),
        ];
        foreach (var (channel, request) in connections)
        {
            using var put = client.PutAsJsonAsync($"/api/tenants/acme/stores/uk-shop/channels/{channel}", request, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            Assert.True(put.IsSuccessStatusCode, $"{channel}: {put.StatusCode} {put.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }
}
