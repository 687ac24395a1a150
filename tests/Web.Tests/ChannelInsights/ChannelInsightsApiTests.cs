using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.ChannelInsights;

/// <summary>
/// Orders arrive through the real webhooks (Shopify and WooCommerce, signed as the platforms sign) carrying UTM tags and
/// e-mails; the insight API must attribute them, match the buyer across channels by hashed e-mail, and never echo an address.
/// </summary>
public sealed class ChannelInsightsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Orders_from_two_channels_are_ranked_attributed_and_matched_by_hashed_email(string kind)
    {
        await using var app = new InsightsApp(kind);
        try
        {
            var client = app.CreateSignedInClient();
            await PostAnnAndBobOnShopifyAsync(client);
            await PostAnnOnWooCommerceAsync(client);
            await app.FlushHistoryAsync();

            AssertWorkedExample(await GetReportAsync(client));
        }
        finally
        {
            if (kind == "ClickHouse")
            {
                await InsightsApp.DropClickHouseDatabaseAsync(app.ClickHouseDatabase);
            }
        }
    }

    [Fact]
    public async Task Two_hosts_sharing_one_history_store_give_the_same_figures_from_either()
    {
        // Two nodes of one deployment: each with its own journal and data folder, one ClickHouse history store.
        var database = $"salesdash_two_hosts_{Guid.NewGuid():N}";
        try
        {
            await using var first = new InsightsApp("ClickHouse", database);
            await using var second = new InsightsApp("ClickHouse", database);
            var firstClient = first.CreateSignedInClient();
            var secondClient = second.CreateSignedInClient();

            // Ann's Shopify order and Bob's reach the first node; Ann's WooCommerce order reaches the second.
            await PostAnnAndBobOnShopifyAsync(firstClient);
            await PostAnnOnWooCommerceAsync(secondClient);
            await first.FlushHistoryAsync();
            await second.FlushHistoryAsync();

            var fromFirst = await GetReportAsync(firstClient);
            var fromSecond = await GetReportAsync(secondClient);

            Assert.Equal(fromFirst.GetRawText(), fromSecond.GetRawText());
            // Ann is matched across channels although each node saw only one of her orders.
            AssertWorkedExample(fromFirst);
        }
        finally
        {
            await InsightsApp.DropClickHouseDatabaseAsync(database);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_restarted_node_replaying_its_journal_into_history_changes_no_figure(string kind)
    {
        var folder = Directory.CreateTempSubdirectory("salesdash-insights-restart-").FullName;
        var database = $"salesdash_restart_{Guid.NewGuid():N}";
        try
        {
            string before;
            await using (var first = new InsightsApp(kind, database, folder))
            {
                var client = first.CreateSignedInClient();
                await PostAnnAndBobOnShopifyAsync(client);
                await PostAnnOnWooCommerceAsync(client);
                await first.FlushHistoryAsync();
                before = (await GetReportAsync(client)).GetRawText();
            }

            await using var second = new InsightsApp(kind, database, folder);
            var again = second.CreateSignedInClient();
            // A redelivery wakes the store's entity, which replays its journal and hands every accepted event to history again.
            await PostAnnAndBobOnShopifyAsync(again);
            await second.FlushHistoryAsync();
            var after = await GetReportAsync(again);

            Assert.Equal(before, after.GetRawText());
            AssertWorkedExample(after);
        }
        finally
        {
            if (kind == "ClickHouse")
            {
                await InsightsApp.DropClickHouseDatabaseAsync(database);
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing store leaves a temp folder behind; the results stand.
            }
        }
    }

    private static async Task PostAnnAndBobOnShopifyAsync(HttpClient client)
    {
        var day = WebAppFactory.Now.AddDays(-3);

        // Ann first buys on Shopify from a Facebook ad, then (PostAnnOnWooCommerceAsync) on WooCommerce from the newsletter;
        // Bob buys on Shopify from a Google ad.
        await PostShopifyAsync(client, TestStore.NewYork, 9001, day, 80.00m, "Ann@Example.com", "/products/mug?utm_source=facebook&utm_medium=paid&utm_campaign=bf");
        await PostShopifyAsync(client, TestStore.NewYork, 9002, day.AddHours(1), 50.00m, "bob@example.com", "/?utm_source=google&utm_medium=cpc");
    }

    private static async Task PostAnnOnWooCommerceAsync(HttpClient client)
    {
        var day = WebAppFactory.Now.AddDays(-3);
        using (var connect = await client.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/WooCommerce",
            new { enabled = true, credentials = new Dictionary<string, string> { ["webhookSecret"] = "woo-secret-42" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
        }
        var woo = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = 77,
            ["status"] = "processing",
            ["currency"] = "USD",
            ["date_created_gmt"] = day.AddHours(2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            ["date_modified_gmt"] = day.AddHours(2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            ["total"] = "100.00",
            ["billing"] = new JsonObject { ["email"] = " ann@example.com ", ["country"] = "GB" },
            ["line_items"] = new JsonArray(new JsonObject { ["sku"] = "MUG", ["name"] = "Mug", ["quantity"] = 1, ["price"] = 100.0, ["total"] = "100.00" }),
            ["meta_data"] = new JsonArray(
                new JsonObject { ["id"] = 1, ["key"] = "_wc_order_attribution_utm_source", ["value"] = "Newsletter" },
                new JsonObject { ["id"] = 2, ["key"] = "_wc_order_attribution_utm_medium", ["value"] = "email" }),
        }.ToJsonString());
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/woocommerce/acme/us-shop") { Content = new ByteArrayContent(woo) })
        {
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-WC-Webhook-Topic", "order.created");
            request.Headers.Add("X-WC-Webhook-Delivery-ID", "d-77");
            request.Headers.Add("X-WC-Webhook-Signature", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("woo-secret-42"), woo)));
            using var delivered = await client.SendAsync(request, Ct);
            Assert.True(delivered.IsSuccessStatusCode, $"WooCommerce webhook answered {(int)delivered.StatusCode}: {await delivered.Content.ReadAsStringAsync(Ct)}");
        }

    }

    private static async Task<JsonElement> GetReportAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/tenants/acme/insights/channels?period=last30", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("example.com", text, StringComparison.OrdinalIgnoreCase);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void AssertWorkedExample(JsonElement report)
    {
        Assert.Equal("USD", report.GetProperty("currency").GetString());
        Assert.Equal(230.00m, report.GetProperty("revenue").GetDecimal());
        Assert.Equal(3, report.GetProperty("orders").GetInt64());
        var customers = report.GetProperty("customers");
        Assert.Equal(2, customers.GetProperty("customers").GetInt64());
        Assert.Equal(1, customers.GetProperty("crossChannelCustomers").GetInt64());
        Assert.Equal(180.00m, customers.GetProperty("crossChannelRevenue").GetDecimal());

        var rows = report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("channel").GetString()!);
        Assert.Equal(["Shopify", "WooCommerce", "newsletter", "FacebookAds", "GoogleAds"], rows.Keys);
        Assert.Equal((130.00m, 2L, 65.00m), (rows["Shopify"].GetProperty("revenue").GetDecimal(), rows["Shopify"].GetProperty("orders").GetInt64(),
            rows["Shopify"].GetProperty("averageOrderValue").GetDecimal()));
        Assert.Equal(0.4348m, rows["WooCommerce"].GetProperty("share").GetDecimal());
        // Ann's WooCommerce order was last touched by the newsletter, first touched by the Facebook ad.
        Assert.Equal(100.00m, rows["newsletter"].GetProperty("lastTouchRevenue").GetDecimal());
        Assert.Equal((80.00m, 180.00m), (rows["FacebookAds"].GetProperty("lastTouchRevenue").GetDecimal(), rows["FacebookAds"].GetProperty("firstTouchRevenue").GetDecimal()));
        Assert.Equal(50.00m, rows["GoogleAds"].GetProperty("lastTouchRevenue").GetDecimal());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("mer").ValueKind);
    }

    [Fact]
    public async Task Unknown_tenant_is_404_and_a_bad_period_is_400()
    {
        await using var app = new InsightsApp("DuckDb");
        var client = app.CreateSignedInClient();
        using var unknown = await client.GetAsync("/api/tenants/nobody/insights/channels", Ct);
        using var bad = await client.GetAsync("/api/tenants/acme/insights/channels?period=forever", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task PostShopifyAsync(HttpClient client, TestStore store, long id, DateTimeOffset at, decimal total, string email, string landingSite)
    {
        var price = total.ToString("F2", CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = id,
            ["created_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["updated_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = store.Currency,
            ["total_price"] = price,
            ["email"] = email,
            ["landing_site"] = landingSite,
            ["referring_site"] = "https://www.example.org/",
            ["line_items"] = new JsonArray(new JsonObject { ["sku"] = "MUG", ["title"] = "Mug", ["quantity"] = 1, ["price"] = price }),
        }.ToJsonString());
        using var request = ShopifyPayloads.Webhook(store, "orders/create", body);
        using var response = await client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"Shopify webhook answered {(int)response.StatusCode}");
    }
}
