using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// The widgets that read today's history: a person adds top products, the orders map and the live order feed from
/// the palette, Shopify delivers orders, and the figures on screen (and on the shared wallboard) are the ones posted.
/// </summary>
[Collection(WallboardAppCollection.Name)]
public sealed class WidgetTests(WallboardApp app, ChromiumBrowser browser)
{
    private static readonly string Tenant = WallboardApp.WidgetShop.TenantId;
    private readonly ShopifyWebhookSender shopify = new(app.Http);

    [Fact]
    public async Task Top_products_orders_map_and_order_feed_show_the_posted_orders_in_the_editor_and_on_the_wall()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var page = await LayoutSupport.NewPageAsync(browser);
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{Tenant}/dashboards").ToString());
        await page.GetByLabel("New dashboard").FillAsync("History widgets");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("board-name")).ToHaveTextAsync("History widgets");
        var boardId = page.Url.Split('/')[^1];

        await page.GetByRole(AriaRole.Button, new() { Name = "Add Top products" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add Orders map" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add Live order feed" }).ClickAsync();
        await Expect(page.GetByTestId("save-status")).ToHaveTextAsync("All changes saved");
        var saved = await LayoutSupport.GetDashboardAsync(app.Http, Tenant, boardId, ct);
        Assert.Equal(["order-feed", "order-map", "top-products"],
            saved.GetProperty("widgets").EnumerateArray().Select(w => w.GetProperty("kind").GetString()!).Order(StringComparer.Ordinal));

        // Three orders from three countries; the mug sells in two of them. Cents that floats cannot hold exactly.
        var now = TimeProvider.System.GetUtcNow();
        await PostAsync(new JsonObject { ["id"] = 810_001 }, now.AddSeconds(-3), "FR", ct, ("MUG-1", "Enamel mug", 2, 12.10m), ("TEE-1", "Logo tee", 1, 25.99m));
        await PostAsync(new JsonObject { ["id"] = 810_002 }, now.AddSeconds(-2), "DE", ct, ("MUG-1", "Enamel mug", 1, 12.10m));
        await PostAsync(new JsonObject { ["id"] = 810_003 }, now.AddSeconds(-1), "JP", ct, ("CAP-1", "Cap", 3, 19.95m));

        // By revenue: caps 3 × 19.95, mugs 3 × 12.10 over two orders, one tee.
        var products = page.GetByTestId("widget-top-products-1-products").Locator("tbody tr");
        await Expect(products).ToHaveCountAsync(3, new() { Timeout = LayoutSupport.Timeout });
        await ExpectRowsAsync(products, "data-sku", [("CAP-1", "59.85"), ("MUG-1", "36.3"), ("TEE-1", "25.99")]);
        await Expect(products.First).ToContainTextAsync("Cap");
        await Expect(products.First).ToContainTextAsync("US$59.85");

        var countries = page.GetByTestId("widget-order-map-1-countries").Locator("tbody tr");
        await Expect(countries).ToHaveCountAsync(3, new() { Timeout = LayoutSupport.Timeout });
        await ExpectRowsAsync(countries, "data-country", [("JP", "59.85"), ("FR", "50.19"), ("DE", "12.1")]);
        await Expect(countries.First).ToContainTextAsync("Japan");
        await Expect(page.GetByTestId("widget-order-map-1-map")).ToHaveAttributeAsync("data-countries", "3");

        var feed = page.GetByTestId("widget-order-feed-1-feed").Locator("tbody tr");
        await Expect(feed).ToHaveCountAsync(3, new() { Timeout = LayoutSupport.Timeout });
        await ExpectRowsAsync(feed, "data-order", [("810003", "59.85"), ("810002", "12.1"), ("810001", "50.19")]);
        await Expect(feed.First).ToContainTextAsync("Japan");
        await Expect(feed.First).ToContainTextAsync("Shopify");

        // A fourth order arrives while the page is open: the feed and the ranking follow without a reload.
        await PostAsync(new JsonObject { ["id"] = 810_004 }, now, "FR", ct, ("TEE-1", "Logo tee", 4, 25.99m));
        await Expect(feed.First).ToHaveAttributeAsync("data-order", "810004", new() { Timeout = LayoutSupport.Timeout });
        await ExpectRowsAsync(products, "data-sku", [("TEE-1", "129.95"), ("CAP-1", "59.85"), ("MUG-1", "36.3")]);

        Assert.Empty(await LayoutSupport.SeriousAccessibilityViolationsAsync(page));
        // The viewport only: a full-page capture resizes the window, and the grid re-lays itself out mid-capture.
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "history-widgets.png") });

        // The same board on a TV through a share link: no sign-in, the same figures through the link.
        using var share = await app.Http.PostAsync($"api/tenants/{Tenant}/dashboards/{boardId}/share", null, ct);
        Assert.Equal(HttpStatusCode.Created, share.StatusCode);
        var token = (await share.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString()!;
        var tv = await LayoutSupport.NewPageAsync(browser, 1920, 1080);
        await using var __ = tv.Context;
        await tv.GotoAsync(new Uri(app.BaseAddress, $"wall/{token}").ToString());
        await Expect(tv.GetByTestId("wall-status")).ToHaveTextAsync("Live");
        var wallFeed = tv.GetByTestId("widget-order-feed-1-feed").Locator("tbody tr");
        await Expect(wallFeed).ToHaveCountAsync(4, new() { Timeout = LayoutSupport.Timeout });
        await ExpectRowsAsync(wallFeed, "data-order", [("810004", "103.96"), ("810003", "59.85"), ("810002", "12.1"), ("810001", "50.19")]);
        await ExpectRowsAsync(tv.GetByTestId("widget-order-map-1-countries").Locator("tbody tr"), "data-country",
            [("FR", "154.15"), ("JP", "59.85"), ("DE", "12.1")]);
        await Expect(tv.GetByTestId("widget-order-map-1-map")).ToHaveAttributeAsync("data-countries", "3");
        await tv.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "history-widgets-wall.png") });
    }

    private async Task PostAsync(JsonObject order, DateTimeOffset createdAt, string country, CancellationToken ct,
        params (string Sku, string Title, int Quantity, decimal Price)[] lines)
    {
        static string Money(decimal value) => value.ToString("F2", CultureInfo.InvariantCulture);
        var stamp = createdAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var total = Money(lines.Sum(l => l.Quantity * l.Price));
        order["name"] = $"#{order["id"]}";
        order["created_at"] = stamp;
        order["updated_at"] = stamp;
        order["currency"] = "USD";
        order["total_price"] = total;
        order["subtotal_price"] = total;
        order["total_tax"] = "0.00";
        order["shipping_address"] = new JsonObject { ["country_code"] = country };
        order["line_items"] = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject
        {
            ["sku"] = l.Sku,
            ["title"] = l.Title,
            ["quantity"] = l.Quantity,
            ["price"] = Money(l.Price),
        })]);
        var body = Encoding.UTF8.GetBytes(order.ToJsonString());
        using var response = await shopify.PostAsync(WallboardApp.WidgetShop, body, ShopifyWebhookSender.Sign(WallboardApp.WidgetShop.WebhookSecret, body), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Order {order["id"]} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>Waits until the rows are, in order, these keys with these exact figures (as JavaScript prints them: 36.3, not 36.30).</summary>
    private static async Task ExpectRowsAsync(ILocator rows, string keyAttribute, (string Key, string Value)[] expected)
    {
        await Expect(rows).ToHaveCountAsync(expected.Length, new() { Timeout = LayoutSupport.Timeout });
        for (var i = 0; i < expected.Length; i++)
        {
            var row = rows.Nth(i);
            await Expect(row).ToHaveAttributeAsync(keyAttribute, expected[i].Key, new() { Timeout = LayoutSupport.Timeout });
            await Expect(row.Locator("[data-value]")).ToHaveAttributeAsync("data-value", expected[i].Value, new() { Timeout = LayoutSupport.Timeout });
        }
    }
}
