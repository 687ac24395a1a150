using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// A TV showing a shared dashboard all day: no sign-in, live figures, an honest "Reconnecting…" when the network
/// drops, fresh figures when it returns, and a dead end once the link is switched off.
/// </summary>
[Collection(WallboardAppCollection.Name)]
public sealed class WallboardTests(WallboardApp app, ChromiumBrowser browser)
{
    private const string Tenant = "wall";
    private readonly ShopifyWebhookSender shopify = new(app.Http);
    private static long nextOrderId = 900_000;

    [Fact]
    public async Task Share_link_shows_live_numbers_without_login()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var (dashboardId, token, _) = await CreateSharedDashboardAsync("Shop floor", ct);

        var page = await LayoutSupport.NewPageAsync(browser, 1920, 1080, ColorScheme.Dark);
        await using var _ = page.Context;
        await page.GotoAsync(new Uri(app.BaseAddress, $"wall/{token}").ToString());
        await Expect(page.GetByTestId("wall-status")).ToHaveTextAsync("Live");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Shop floor");
        // No chrome: no navigation, no editing.
        await Expect(page.GetByRole(AriaRole.Navigation)).ToHaveCountAsync(0);
        await Expect(page.Locator(".react-resizable-handle").Filter(new() { Visible = true })).ToHaveCountAsync(0);

        var revenue = await FigureAsync(page, "sales", "USD");
        var orders = await FigureAsync(page, "orders", null);
        await PostOrderAsync(123.45m, ct);

        await ExpectFigureAsync(page, "sales", "USD", revenue + 123.45m);
        await ExpectFigureAsync(page, "orders", null, orders + 1);
        await Expect(page.GetByTestId("widget-sales-value-USD")).ToContainTextAsync(
            (revenue + 123.45m).ToString("#,##0.00", CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("widget-rank-ranking").Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("widget-rank-ranking").Locator("tbody tr").First).ToHaveAttributeAsync("data-channel", "Shopify");
        Assert.NotNull(dashboardId);

        Assert.Empty(await LayoutSupport.SeriousAccessibilityViolationsAsync(page));
        await LayoutSupport.ScreenshotAsync(page, "wallboard-dark.png");
    }

    [Fact]
    public async Task Wallboard_says_reconnecting_when_the_connection_drops_and_shows_fresh_numbers_when_it_returns()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var (_, token, _) = await CreateSharedDashboardAsync("Warehouse TV", ct);
        await using var network = new WallboardProxy(app.BaseAddress);

        var page = await LayoutSupport.NewPageAsync(browser, 1920, 1080, ColorScheme.Dark);
        await using var _ = page.Context;
        await page.GotoAsync(new Uri(network.BaseAddress, $"wall/{token}").ToString());
        await Expect(page.GetByTestId("wall-status")).ToHaveTextAsync("Live");
        await Expect(page.GetByTestId("widget-trend-chart")).ToHaveAttributeAsync("data-points", "60");
        var before = await FigureAsync(page, "sales", "USD");

        network.Cut();
        await Expect(page.GetByTestId("wall-status")).ToHaveTextAsync("Reconnecting…");
        await Expect(page.GetByTestId("wallboard")).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(page.GetByTestId("wall-banner")).ToContainTextAsync("not live");

        // Orders keep coming while the TV is offline; it cannot know, and must not pretend to.
        await PostOrderAsync(50.00m, ct);
        await Task.Delay(1000, ct);
        Assert.Equal(before, await FigureAsync(page, "sales", "USD"));
        await Expect(page.GetByTestId("wall-status")).ToHaveTextAsync("Reconnecting…");

        network.Restore();
        await Expect(page.GetByTestId("wall-status")).ToHaveTextAsync("Live", new() { Timeout = 60_000 });
        await ExpectFigureAsync(page, "sales", "USD", before + 50.00m);
        await Expect(page.GetByTestId("wall-banner")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Revoked_share_link_stops_working()
    {
        var ct = TestContext.Current.CancellationToken;
        var (dashboardId, token, linkId) = await CreateSharedDashboardAsync("Lobby TV", ct);
        await using var network = new WallboardProxy(app.BaseAddress);
        var tv = await LayoutSupport.NewPageAsync(browser, 1920, 1080, ColorScheme.Dark);
        await using var _ = tv.Context;
        await tv.GotoAsync(new Uri(network.BaseAddress, $"wall/{token}").ToString());
        await Expect(tv.GetByTestId("wall-status")).ToHaveTextAsync("Live");
        await Expect(tv.GetByTestId("widget-trend-chart")).ToHaveAttributeAsync("data-points", "60");

        using (var revoke = await app.Http.DeleteAsync($"api/tenants/{Tenant}/dashboards/{dashboardId}/share/{linkId}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var wall = await app.Http.GetAsync($"api/wall/{token}", ct))
        {
            Assert.Equal(HttpStatusCode.Gone, wall.StatusCode);
        }

        // The TV that was showing it: at its next reconnect the hub refuses the link and the screen says so.
        network.Cut();
        await Expect(tv.GetByTestId("wall-status")).ToHaveTextAsync("Reconnecting…");
        network.Restore();
        await Expect(tv.GetByRole(AriaRole.Heading, new() { Name = "This wallboard link no longer works" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(tv.GetByTestId("wallboard")).ToHaveCountAsync(0);

        // A screen opening the link afresh gets no figures at all.
        var fresh = await LayoutSupport.NewPageAsync(browser);
        await using var __ = fresh.Context;
        await fresh.GotoAsync(new Uri(app.BaseAddress, $"wall/{token}").ToString());
        await Expect(fresh.GetByRole(AriaRole.Heading, new() { Name = "This wallboard link no longer works" })).ToBeVisibleAsync();
        await Expect(fresh.Locator("[data-testid^='widget-']")).ToHaveCountAsync(0);
    }

    private async Task<(string DashboardId, string Token, string LinkId)> CreateSharedDashboardAsync(string name, CancellationToken ct)
    {
        var id = await LayoutSupport.CreateDashboardAsync(app.Http, Tenant, name,
            [
                LayoutSupport.Cell("sales", 0, 0, 4, 4),
                LayoutSupport.Cell("orders", 4, 0, 4, 4),
                LayoutSupport.Cell("target", 8, 0, 4, 4),
                LayoutSupport.Cell("trend", 0, 4, 8, 5),
                LayoutSupport.Cell("rank", 8, 4, 4, 5),
            ],
            [
                LayoutSupport.Widget("sales", "kpi", "gross-revenue", comparison: "last-week", channel: "Shopify", title: "Shopify revenue today"),
                LayoutSupport.Widget("orders", "kpi", "orders", title: "Orders today"),
                LayoutSupport.Widget("target", "goal", "gross-revenue", channel: "Shopify", target: 1000m, title: "Black Friday target"),
                LayoutSupport.Widget("trend", "chart", "gross-revenue", "last-60-minutes", chartType: "area", title: "Revenue per minute"),
                LayoutSupport.Widget("rank", "ranking", "orders", title: "Channels by orders"),
            ], ct);
        using var response = await app.Http.PostAsync($"api/tenants/{Tenant}/dashboards/{id}/share", null, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var link = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return (id, link.GetProperty("token").GetString()!, link.GetProperty("id").GetString()!);
    }

    private async Task PostOrderAsync(decimal total, CancellationToken ct)
    {
        var order = new ShopifyOrder(Interlocked.Increment(ref nextOrderId), total, TimeProvider.System.GetUtcNow());
        using var response = await shopify.PostOrderCreatedAsync(WallboardApp.Shop, order, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
    }

    private static string ValueId(string widget, string? currency) => $"widget-{widget}-value{(currency is null ? "" : "-" + currency)}";

    private static async Task<decimal> FigureAsync(IPage page, string widget, string? currency)
    {
        var raw = await page.GetByTestId(ValueId(widget, currency)).GetAttributeAsync("data-value");
        return decimal.Parse(raw!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // The page prints numbers as JavaScript does: 50, not 50.00.
    private static Task ExpectFigureAsync(IPage page, string widget, string? currency, decimal expected) =>
        Expect(page.GetByTestId(ValueId(widget, currency))).ToHaveAttributeAsync("data-value", expected.ToString("0.############", CultureInfo.InvariantCulture));
}
