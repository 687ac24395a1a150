using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>A person adds the insights widget and reads what moved against last week, with the figures behind it.</summary>
[Collection(WallboardAppCollection.Name)]
public sealed class InsightsWidgetTests(WallboardApp app, ChromiumBrowser browser)
{
    private static readonly string Tenant = WallboardApp.InsightsShop.TenantId;
    private readonly ShopifyWebhookSender shopify = new(app.Http);

    [Fact]
    public async Task The_insights_widget_says_revenue_rose_against_last_week_with_last_weeks_figure()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);

        // Last week, earlier in the same (UTC) day than now: one order of 40.00. Today: one of 400.00.
        var now = TimeProvider.System.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        await PostAsync(820_001, today.AddDays(-7) + ((now - today) / 2), 40m, ct);
        await PostAsync(820_002, now.AddSeconds(-30), 400m, ct);

        var page = await LayoutSupport.NewPageAsync(browser);
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{Tenant}/dashboards").ToString());
        await page.GetByLabel("New dashboard").FillAsync("Insights");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add Insights" }).ClickAsync();
        await Expect(page.GetByTestId("save-status")).ToHaveTextAsync("All changes saved");

        // Today's revenue on this store also holds other tests' orders; last week's is only the 40.00 posted above.
        var revenue = page.GetByTestId("widget-insights-1-insights").Locator("li[data-kind='revenue-change']");
        await Expect(revenue).ToHaveCountAsync(1, new() { Timeout = LayoutSupport.Timeout });
        await Expect(revenue).ToContainTextAsync("Revenue rose");
        await Expect(revenue).ToContainTextAsync("against USD 40.00)");
        await Expect(revenue).ToContainTextAsync("Revenue: US$");
        await Expect(revenue).ToContainTextAsync("(was US$40.00)");
        await Expect(revenue).ToContainTextAsync("Orders: ");
        Assert.Empty(await LayoutSupport.SeriousAccessibilityViolationsAsync(page));
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "insights-widget.png") });
    }

    private async Task PostAsync(long id, DateTimeOffset createdAt, decimal total, CancellationToken ct)
    {
        var stamp = createdAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var money = total.ToString("F2", CultureInfo.InvariantCulture);
        var order = new JsonObject
        {
            ["id"] = id,
            ["name"] = $"#{id}",
            ["created_at"] = stamp,
            ["updated_at"] = stamp,
            ["currency"] = "USD",
            ["total_price"] = money,
            ["subtotal_price"] = money,
            ["total_tax"] = "0.00",
            ["shipping_address"] = new JsonObject { ["country_code"] = "GB" },
            ["line_items"] = new JsonArray(new JsonObject { ["sku"] = "LAMP-1", ["title"] = "Lamp", ["quantity"] = 1, ["price"] = money }),
        };
        var body = Encoding.UTF8.GetBytes(order.ToJsonString());
        using var response = await shopify.PostAsync(WallboardApp.InsightsShop, body, ShopifyWebhookSender.Sign(WallboardApp.InsightsShop.WebhookSecret, body), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Order {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }
}
