using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SalesDash.Contracts.Tiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Channels;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.AppData;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Channels;

public sealed class ChannelsApiTests(ChannelsAppFactory app) : IClassFixture<ChannelsAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saved_credentials_are_never_returned_and_not_stored_in_plain_text()
    {
        var client = app.CreateSignedInClient();
        const string secret = "Atzr|IwEBIA-very-secret-refresh-token";

        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/amazon", new ChannelConnectionRequest(
            true, new() { ["marketplaceIds"] = "A1F83G8C2ARO7P", ["region"] = "eu" },
            new() { ["clientId"] = "amzn1.application-oa2-client.abc", ["clientSecret"] = "client-secret-xyz", ["refreshToken"] = secret }, 600), Ct);
        var listed = await client.GetStringAsync("/api/tenants/acme/stores/uk-shop/channels", Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret-xyz", body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        var view = JsonNode.Parse(body)!;
        Assert.Equal(["clientId", "clientSecret", "refreshToken"], view["credentialsSet"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("A1F83G8C2ARO7P", (string)view["settings"]!["marketplaceIds"]!);
        Assert.DoesNotContain(secret, await AppDatabaseFiles.ReadAllTextAsync(app.Services, Ct), StringComparison.Ordinal);
        // The key that encrypted them is in the shared app database, where every node of a cluster finds it.
        await using var scope = app.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>().DataProtectionKeys.AnyAsync(Ct));
    }

    [Fact]
    public async Task Incomplete_connection_is_a_validation_problem_naming_what_is_missing()
    {
        var client = app.CreateSignedInClient();

        using var response = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/googleanalytics",
            new ChannelConnectionRequest(true, new() { ["propertyId"] = "123" }, new() { ["clientId"] = "id", ["password"] = "x" }, null), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("credentials.refreshToken"));
        Assert.True(errors.ContainsKey("credentials.password"));
    }

    [Fact]
    public async Task A_mistyped_setting_is_a_validation_problem_naming_the_field_and_nothing_is_saved()
    {
        var client = app.CreateSignedInClient();
        var credentials = new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "r" };

        using var response = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/amazon",
            new ChannelConnectionRequest(true, new() { ["marketplaceIds"] = "A1F83G8C2ARO7P", ["region"] = "moon", ["since"] = "last tuesday" }, credentials, null), Ct);
        using var paypal = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/paypal",
            new ChannelConnectionRequest(true, new() { ["webhookId"] = "WH-1", ["environment"] = "staging" }, null, null), Ct);
        using var after = await client.GetAsync("/api/tenants/acme/stores/uk-shop/channels/amazon", Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (response.StatusCode, paypal.StatusCode));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["errors"]!.AsObject();
        Assert.Equal(["settings.region", "settings.since"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("'moon' is not one of na, eu, fe.", (string)errors["settings.region"]![0]!);
        Assert.StartsWith("'last tuesday' is not a date", (string)errors["settings.since"]![0]!, StringComparison.Ordinal);
        var paypalErrors = JsonNode.Parse(await paypal.Content.ReadAsStringAsync(Ct))!["errors"]!.AsObject();
        Assert.Equal("'staging' is not one of live, sandbox.", (string)paypalErrors["settings.environment"]![0]!);
        // Refused as a whole: whatever was connected before (another test may have) is as it was, without the bad values.
        Assert.DoesNotContain("moon", await after.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_credentials_show_in_test_connection_and_sync_status()
    {
        var client = app.CreateSignedInClient();
        app.Upstream.On("api.amazon.com/auth/o2/token", _ => FakeUpstream.Json("""{"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"}""", HttpStatusCode.BadRequest));
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/amazon", new ChannelConnectionRequest(
            true, new() { ["marketplaceIds"] = "ATVPDKIKX0DER" }, new() { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "Atzr|revoked" }, null), Ct);
        put.EnsureSuccessStatusCode();

        var test = await (await client.PostAsync("/api/tenants/acme/stores/us-shop/channels/amazon/test", null, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        var sync = await (await client.PostAsync("/api/tenants/acme/stores/us-shop/channels/amazon/sync", null, Ct)).Content.ReadFromJsonAsync<ChannelSyncStatus>(Ct);
        var status = await client.GetFromJsonAsync<ChannelSyncStatus>("/api/tenants/acme/stores/us-shop/channels/amazon/status", Ct);

        Assert.False((bool)test!["ok"]!);
        Assert.Contains("invalid_grant", (string)test["detail"]!, StringComparison.Ordinal);
        Assert.Equal(SyncStates.CredentialsRejected, sync!.State);
        Assert.Equal(SyncStates.CredentialsRejected, status!.State);
        Assert.Equal(WebAppFactory.Now, status.LastSyncAt);
        Assert.Null(status.NextSyncAt);
        Assert.Contains("invalid_grant", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Amazon_sync_puts_todays_orders_on_the_tiles_and_records_the_last_sync()
    {
        var client = app.CreateSignedInClient();
        var purchased = WebAppFactory.Now.AddHours(-2).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        app.Upstream.On("api.amazon.com/auth/o2/token", _ => FakeUpstream.Json("""{"access_token":"Atza|ok","expires_in":3600}"""));
        // getOrders / getOrderItems in the shape of Amazon's sandbox examples (ordersV0.json), dated today.
        app.Upstream.On("sellingpartnerapi-eu.amazon.com/orders/v0/orders", request => request.RequestUri!.AbsolutePath.EndsWith("/orderItems", StringComparison.Ordinal)
            ? FakeUpstream.Json("""{"payload":{"AmazonOrderId":"202-1111111-2222222","OrderItems":[{"ASIN":"B00551Q3CS","SellerSKU":"MUG-1","Title":"Mug","QuantityOrdered":2,"ItemPrice":{"CurrencyCode":"EUR","Amount":"40.00"}}]}}""")
            : FakeUpstream.Json($$$"""{"payload":{"Orders":[{"AmazonOrderId":"202-1111111-2222222","PurchaseDate":"{{{purchased}}}","LastUpdateDate":"{{{purchased}}}","OrderStatus":"Unshipped","OrderTotal":{"CurrencyCode":"EUR","Amount":"40.00"},"MarketplaceId":"A1PA6795UKMFR9","SalesChannel":"Amazon.de"}]}}"""));
        using var put = await client.PutAsJsonAsync("/api/tenants/globex/stores/shop/channels/amazon", new ChannelConnectionRequest(
            true, new() { ["marketplaceIds"] = "A1PA6795UKMFR9", ["region"] = "eu" }, new() { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "Atzr|ok" }, null), Ct);
        put.EnsureSuccessStatusCode();

        var status = await (await client.PostAsync("/api/tenants/globex/stores/shop/channels/amazon/sync", null, Ct)).Content.ReadFromJsonAsync<ChannelSyncStatus>(Ct);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/globex/stores/shop/tiles", Ct);

        Assert.Equal(SyncStates.Ok, status!.State);
        Assert.Equal(1, status.EventsIngested);
        Assert.Equal(WebAppFactory.Now, status.LastSuccessAt);
        Assert.Equal(40.00m, tiles!.GrossRevenue.Value);
        Assert.Equal(1m, tiles.Orders.Value);
        Assert.Equal(2m, tiles.UnitsSold.Value);
    }

    [Fact]
    public async Task Stripe_webhook_counts_a_signed_charge_once_and_refuses_a_replayed_one()
    {
        var client = app.CreateSignedInClient();
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/stripe",
            new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = "whsec_test_secret" }, null), Ct);
        put.EnsureSuccessStatusCode();
        var created = WebAppFactory.Now.AddMinutes(-5).ToUnixTimeSeconds();
        // An event envelope around a charge, in the shape of Stripe's fixtures3.json "event" and "charge".
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1QxYz\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"created\":" + created
            + ",\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"ch_3QxYz\",\"object\":\"charge\",\"amount\":12550,\"amount_captured\":12550,"
            + "\"captured\":true,\"currency\":\"usd\",\"created\":" + created + ",\"paid\":true,\"status\":\"succeeded\",\"payment_intent\":\"pi_3QxYz\"}}}");

        using var first = await client.SendAsync(Stripe(body, WebAppFactory.Now.ToUnixTimeSeconds()), Ct);
        using var again = await client.SendAsync(Stripe(body, WebAppFactory.Now.ToUnixTimeSeconds()), Ct);
        using var replay = await client.SendAsync(Stripe(body, WebAppFactory.Now.AddMinutes(-10).ToUnixTimeSeconds()), Ct);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("accepted", (string)(await first.Content.ReadFromJsonAsync<JsonObject>(Ct))!["outcome"]!);
        Assert.Equal("duplicate", (string)(await again.Content.ReadFromJsonAsync<JsonObject>(Ct))!["outcome"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Equal(125.50m, tiles!.GrossRevenue.Value);
        Assert.Equal(1m, tiles.Orders.Value);
    }

    [Fact]
    public async Task EasyPost_tracker_event_shows_in_the_store_shipments_and_a_bad_signature_does_not()
    {
        var client = app.CreateSignedInClient();
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/shipping",
            new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = "sécret" }, null), Ct);
        put.EnsureSuccessStatusCode();
        // A tracker.updated event in the shape of EasyPost's official event-body.json fixture.
        var body = Encoding.UTF8.GetBytes("""{"description":"tracker.updated","id":"evt_7","object":"Event","updated_at":"2026-11-25T12:00:00Z","result":{"id":"trk_7","object":"Tracker","tracking_code":"9400100000000000000000","status":"out_for_delivery","status_detail":"out_for_delivery","updated_at":"2026-11-25T11:59:00Z","est_delivery_date":"2026-11-25T18:00:00Z","carrier":"USPS","public_url":"https://track.easypost.com/7"}}""");

        using var forged = await client.SendAsync(EasyPost(body, "hmac-sha256-hex=" + new string('0', 64)), Ct);
        using var signed = await client.SendAsync(EasyPost(body, EasyPostSignature(body)), Ct);
        using var again = await client.SendAsync(EasyPost(body, EasyPostSignature(body)), Ct);
        await app.FlushHistoryAsync();
        var shipments = await client.GetFromJsonAsync<ShipmentsResponse>("/api/tenants/acme/stores/uk-shop/shipments", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("accepted", (string)(await signed.Content.ReadFromJsonAsync<JsonObject>(Ct))!["outcome"]!);
        Assert.Equal("duplicate", (string)(await again.Content.ReadFromJsonAsync<JsonObject>(Ct))!["outcome"]!);
        var parcel = Assert.Single(shipments!.Parcels);
        Assert.Equal(("out_for_delivery", "inTransit", "USPS"), (parcel.Status, parcel.Group, parcel.Carrier));
        Assert.Equal(new ShipmentSummaryView(1, 0, 1, 0, 0, null), shipments.Summary);
    }

    [Fact]
    public async Task Shipments_count_in_transit_delivered_and_exceptions_with_the_average_days_to_deliver()
    {
        var client = app.CreateSignedInClient();
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/shipping",
            new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = "sécret" }, null), Ct);
        put.EnsureSuccessStatusCode();

        // Parcel 1: first scan 20 Nov 09:00, delivered 22 Nov 21:00 (2.5 days), from its tracking_details checkpoints.
        // Parcel 2: first scan 21 Nov 10:00, delivered 25 Nov 10:00 (4 days); its in-transit event arrives after the delivered one.
        // Parcel 3: returned to sender. Parcel 4: label printed, waiting for the carrier.
        string[] events =
        [
            Tracker("evt_11", "P1", "delivered", "2026-11-22T21:00:00Z", """[{"status":"pre_transit","datetime":"2026-11-19T15:00:00Z"},{"status":"in_transit","datetime":"2026-11-20T09:00:00Z"},{"status":"delivered","datetime":"2026-11-22T21:00:00Z"}]"""),
            Tracker("evt_22", "P2", "delivered", "2026-11-25T10:00:00Z", """[{"status":"in_transit","datetime":"2026-11-21T10:00:00Z"},{"status":"delivered","datetime":"2026-11-25T10:00:00Z"}]"""),
            Tracker("evt_21", "P2", "in_transit", "2026-11-21T10:00:00Z", """[{"status":"in_transit","datetime":"2026-11-21T10:00:00Z"}]"""),
            Tracker("evt_31", "P3", "return_to_sender", "2026-11-24T08:00:00Z", "[]"),
            Tracker("evt_41", "P4", "pre_transit", "2026-11-24T09:00:00Z", "[]"),
        ];
        foreach (var json in events)
        {
            var body = Encoding.UTF8.GetBytes(json);
            using var request = EasyPost(body, EasyPostSignature(body), "us-shop");
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await app.FlushHistoryAsync();
        var shipments = await client.GetFromJsonAsync<ShipmentsResponse>("/api/tenants/acme/stores/us-shop/shipments?period=last7", Ct);
        using var bad = await client.GetAsync("/api/tenants/acme/stores/us-shop/shipments?period=forever", Ct);

        Assert.Equal(new ShipmentSummaryView(4, 1, 0, 2, 1, 3.25), shipments!.Summary);
        Assert.Equal(["P2", "P4", "P3", "P1"], shipments.Parcels.Select(p => p.TrackingCode));
        Assert.Equal((2.5, "delivered"), (shipments.Parcels.Single(p => p.TrackingCode == "P1").DaysToDeliver!.Value, shipments.Parcels[0].Group));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    private static string Tracker(string eventId, string code, string status, string updatedAt, string details) =>
        $$$"""{"description":"tracker.updated","id":"{{{eventId}}}","object":"Event","updated_at":"{{{updatedAt}}}","result":{"id":"trk_{{{code}}}","object":"Tracker","tracking_code":"{{{code}}}","status":"{{{status}}}","updated_at":"{{{updatedAt}}}","carrier":"UPS","tracking_details":{{{details}}}}}""";

    private static string EasyPostSignature(byte[] body) =>
        "hmac-sha256-hex=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("sécret".Normalize(NormalizationForm.FormKD)), body));

    [Fact]
    public async Task PayPal_with_rest_credentials_is_verified_by_paypal_and_a_failure_is_401()
    {
        var client = app.CreateSignedInClient();
        app.Upstream.On("api-m.paypal.com/v1/oauth2/token", _ => FakeUpstream.Json(
            """{"scope":"https://uri.paypal.com/services/payments/payment/authcapture","access_token":"A21AAF-token","token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"n"}"""));
        app.Upstream.On("api-m.paypal.com/v1/notifications/verify-webhook-signature", request =>
            FakeUpstream.Json(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult().Contains("\"transmission_sig\":\"genuine\"", StringComparison.Ordinal)
                ? """{"verification_status":"SUCCESS"}"""
                : """{"verification_status":"FAILURE"}"""));
        using var half = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/paypal", new ChannelConnectionRequest(true,
            new() { ["webhookId"] = "8PT597110X687430LKGECATA" }, new() { ["clientId"] = "AYSq3RDG" }, null), Ct);
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/paypal", new ChannelConnectionRequest(true,
            new() { ["webhookId"] = "8PT597110X687430LKGECATA" }, new() { ["clientId"] = "AYSq3RDG", ["clientSecret"] = "EGnHDxD" }, null), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = """{"id":"WH-2WR32451HC0233532-67976317FL4543714","create_time":"2026-11-25T15:29:00.000Z","resource_type":"capture","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":{"currency_code":"GBP","value":"19.99"},"supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}},"create_time":"2026-11-25T15:28:58Z","update_time":"2026-11-25T15:28:58Z","final_capture":true,"id":"42311647XV020574X","status":"COMPLETED"}}""";

        using var genuine = await client.SendAsync(PayPalDelivery(body, "genuine"), Ct);
        using var forged = await client.SendAsync(PayPalDelivery(body, "forged"), Ct);

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal("accepted", (string)(await genuine.Content.ReadFromJsonAsync<JsonObject>(Ct))!["outcome"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("FAILURE", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static HttpRequestMessage PayPalDelivery(string body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/paypal/acme/uk-shop") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("PAYPAL-TRANSMISSION-ID", Guid.NewGuid().ToString());
        request.Headers.Add("PAYPAL-TRANSMISSION-TIME", "2026-11-25T15:29:30Z");
        request.Headers.Add("PAYPAL-TRANSMISSION-SIG", signature);
        request.Headers.Add("PAYPAL-CERT-URL", "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77");
        request.Headers.Add("PAYPAL-AUTH-ALGO", "SHA256withRSA");
        return request;
    }

    [Fact]
    public async Task Webhook_for_a_channel_that_is_not_connected_is_404()
    {
        using var response = await app.CreateSignedInClient().PostAsync("/webhooks/woocommerce/acme/us-shop", new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static HttpRequestMessage Stripe(byte[] body, long timestamp)
    {
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData("whsec_test_secret"u8, [.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe/acme/us-shop") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={timestamp},v1={signature}");
        return request;
    }

    private static HttpRequestMessage EasyPost(byte[] body, string signature, string storeId = "uk-shop")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/shipping/easypost/acme/{storeId}") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("X-Hmac-Signature", signature);
        return request;
    }
}
