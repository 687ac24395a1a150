using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.History;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Dashboards;

/// <summary>
/// The data of the top products, order map and live order feed widgets: the signed-in feed, and the wallboard's
/// token-scoped reads, which answer only for the stores the shared dashboard shows.
/// </summary>
public sealed class WidgetDataApiTests : IAsyncDisposable
{
    // Each test writes its own orders to the same stores and asserts whole lists, so each gets a fresh app.
    private readonly WebAppFactory app = new();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput HistoryBoard(string? channel = null) => new(
        "Shop floor",
        [new LayoutItem("products", 0, 0, 4, 6), new LayoutItem("map", 4, 0, 8, 6), new LayoutItem("feed", 0, 6, 12, 6)],
        [
            new Widget("products", "top-products", null, new WidgetSettings("gross-revenue", "today", "none", channel)),
            new Widget("map", "order-map", null, new WidgetSettings("gross-revenue", "today", "none", channel)),
            new Widget("feed", "order-feed", null, new WidgetSettings("orders", "today", "none", channel)),
        ]);

    [Fact]
    public async Task Wall_link_reads_todays_top_products_countries_and_latest_orders_of_a_store_it_shows()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("w-1", now.AddHours(-3), "FR", ("MUG", 2, 10m)),
            Order("w-2", now.AddHours(-2), "DE", ("TEE", 1, 25m), ("MUG", 1, 10m)),
            Order("w-3", now.AddMinutes(-30), "FR", ("TEE", 3, 25m)),
            Order("w-old", now.AddDays(-2), "US", ("CAP", 9, 100m)));
        var link = await ShareAsync(client, await CreateAsync(client, HistoryBoard()));
        var store = $"/api/wall/{link.Token}/stores/acme/uk-shop";

        using var productsResponse = await client.GetAsync($"{store}/top-products", Ct);
        Assert.Equal(HttpStatusCode.OK, productsResponse.StatusCode);
        Assert.Equal("no-store", productsResponse.Headers.CacheControl?.ToString());
        var products = (await productsResponse.Content.ReadFromJsonAsync<BreakdownBody>(Json, Ct))!;
        Assert.Equal(("product", "GBP"), (products.By, products.Currency));
        Assert.Equal([("TEE", 100m, 4L), ("MUG", 30m, 3L)], products.Rows.Select(r => (r.Key, r.GrossRevenue, r.Units)));

        var byUnits = (await client.GetFromJsonAsync<BreakdownBody>($"{store}/top-products?rank=units&limit=1", Json, Ct))!;
        Assert.Equal(["TEE"], byUnits.Rows.Select(r => r.Key));

        var countries = (await client.GetFromJsonAsync<BreakdownBody>($"{store}/countries", Json, Ct))!;
        Assert.Equal([("FR", 95m, 2L), ("DE", 35m, 1L)], countries.Rows.Select(r => (r.Key, r.GrossRevenue, r.Orders)));

        var feed = (await client.GetFromJsonAsync<RecentOrdersResponse>($"{store}/orders/recent?limit=2", Json, Ct))!;
        Assert.Equal(
            [("w-3", now.AddMinutes(-30), 75m, "FR", "Shopify"), ("w-2", now.AddHours(-2), 35m, "DE", "Shopify")],
            feed.Orders.Select(o => (o.OrderId, o.PlacedAt, o.Total, o.Country, o.Channel)));
    }

    [Fact]
    public async Task Wall_link_answers_not_found_for_stores_its_dashboard_does_not_show_and_once_revoked()
    {
        var client = app.CreateSignedInClient();
        var shopifyOnly = await ShareAsync(client, await CreateAsync(client, HistoryBoard(channel: "WooCommerce")));
        await AssertNotFoundAsync(client, $"/api/wall/{shopifyOnly.Token}/stores/acme/uk-shop/top-products");

        var dashboardId = await CreateAsync(client, HistoryBoard());
        var link = await ShareAsync(client, dashboardId);
        using (var shown = await client.GetAsync($"/api/wall/{link.Token}/stores/acme/uk-shop/orders/recent", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        }

        // Another organisation's store, a store that does not exist, and a token nobody issued.
        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/globex/shop/countries");
        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/acme/no-such-shop/countries");
        await AssertNotFoundAsync(client, $"/api/wall/{ShareTokens.Create()}/stores/acme/uk-shop/countries");

        using (var revoke = await client.DeleteAsync($"/api/tenants/acme/dashboards/{dashboardId}/share/{link.Id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/acme/uk-shop/orders/recent");
        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/acme/uk-shop/top-products");
    }

    [Fact]
    public async Task Wall_link_filtered_to_Amazon_shows_a_Shopify_store_that_sells_on_Amazon()
    {
        var client = app.CreateSignedInClient();
        var amazonOnly = await ShareAsync(client, await CreateAsync(client, HistoryBoard(channel: "Amazon")));
        await AssertNotFoundAsync(client, $"/api/wall/{amazonOnly.Token}/stores/acme/uk-shop/orders/recent");

        // The Shopify store connects Amazon: its Amazon orders count under Amazon, so the Amazon board shows the store.
        var connections = app.Services.GetRequiredService<SalesDash.Web.Channels.IChannelConnectionStore>();
        await connections.UpsertAsync(new SalesDash.Web.Channels.ChannelConnection(new StoreRef("acme", "uk-shop"), SalesChannel.Amazon, true,
            new Dictionary<string, string>(), new Dictionary<string, string>(), TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow), Ct);

        using var shown = await client.GetAsync($"/api/wall/{amazonOnly.Token}/stores/acme/uk-shop/orders/recent", Ct);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
    }

    [Fact]
    public async Task Wall_link_lists_the_alerts_of_a_store_it_shows_newest_first_and_no_other_stores()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        var alerts = app.Services.GetRequiredService<IAlertStore>();
        await alerts.SaveAlertAsync(Alert("a-old", "uk-shop", now.AddMinutes(-40), "Revenue dropped below £100 in 30 minutes"), Ct);
        await alerts.SaveAlertAsync(Alert("a-new", "uk-shop", now.AddMinutes(-5), "Orders fell 60 % against last week"), Ct);
        await alerts.SaveAlertAsync(Alert("a-us", "us-shop", now.AddMinutes(-1), "US revenue dropped"), Ct);
        var board = HistoryBoard();
        var withAlerts = board with
        {
            Layout = [.. board.Layout, new LayoutItem("alerts", 0, 12, 6, 6)],
            Widgets = [.. board.Widgets, new Widget("alerts", "alerts", null, new WidgetSettings("orders", "today", "none"))],
        };
        var link = await ShareAsync(client, await CreateAsync(client, withAlerts));

        using var response = await client.GetAsync($"/api/wall/{link.Token}/stores/acme/uk-shop/alerts", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var listed = (await response.Content.ReadFromJsonAsync<AlertBody[]>(Json, Ct))!;
        Assert.Equal([("a-new", "Orders fell 60 % against last week", "Firing"), ("a-old", "Revenue dropped below £100 in 30 minutes", "Firing")],
            listed.Select(a => (a.Id, a.Message, a.Status)));

        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/globex/shop/alerts");
        await AssertNotFoundAsync(client, $"/api/wall/{ShareTokens.Create()}/stores/acme/uk-shop/alerts");
    }

    [Fact]
    public async Task Wall_link_gives_the_same_forecast_as_the_store_api_with_todays_revenue_so_far()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("f-1", now.AddHours(-1), "GB", ("PEN", 4, 2.5m)),
            Order("f-2", now.AddMinutes(-10), "GB", ("INK", 1, 7.25m)));
        var board = HistoryBoard();
        var withForecast = board with
        {
            Layout = [.. board.Layout, new LayoutItem("pace", 6, 12, 6, 4)],
            Widgets = [.. board.Widgets, new Widget("pace", "forecast", null, new WidgetSettings("gross-revenue", "today", "none"))],
        };
        var link = await ShareAsync(client, await CreateAsync(client, withForecast));

        var direct = await client.GetStringAsync("/api/tenants/acme/stores/uk-shop/forecast", Ct);
        using var wall = await client.GetAsync($"/api/wall/{link.Token}/stores/acme/uk-shop/forecast", Ct);
        Assert.Equal(HttpStatusCode.OK, wall.StatusCode);
        var throughLink = await wall.Content.ReadAsStringAsync(Ct);
        Assert.Equal(direct, throughLink);
        var forecast = JsonDocument.Parse(throughLink).RootElement;
        Assert.Equal(("uk-shop", "GBP"), (forecast.GetProperty("storeId").GetString(), forecast.GetProperty("currency").GetString()));
        Assert.True(forecast.GetProperty("todaySoFar").GetDecimal() >= 17.25m, throughLink);
        Assert.False(string.IsNullOrWhiteSpace(forecast.GetProperty("text").GetString()));

        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/globex/shop/forecast");
    }

    [Fact]
    public async Task Wall_link_gives_the_same_insights_as_the_store_api_for_a_board_with_an_insights_widget()
    {
        var client = app.CreateSignedInClient();
        var board = HistoryBoard();
        var withInsights = board with
        {
            Layout = [.. board.Layout, new LayoutItem("why", 6, 12, 6, 4)],
            Widgets = [.. board.Widgets, new Widget("why", "insights", null, new WidgetSettings("gross-revenue", "today", "none"))],
        };
        var link = await ShareAsync(client, await CreateAsync(client, withInsights));

        // The insights are compared with the store API's answer at the same clock: figures come from the same history.
        var direct = JsonDocument.Parse(await client.GetStringAsync("/api/tenants/acme/stores/uk-shop/insights", Ct)).RootElement;
        using var wall = await client.GetAsync($"/api/wall/{link.Token}/stores/acme/uk-shop/insights", Ct);
        Assert.Equal(HttpStatusCode.OK, wall.StatusCode);
        var throughLink = JsonDocument.Parse(await wall.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(("uk-shop", "GBP"), (throughLink.GetProperty("storeId").GetString(), throughLink.GetProperty("currency").GetString()));
        Assert.Equal(direct.GetProperty("insights").GetRawText(), throughLink.GetProperty("insights").GetRawText());

        await AssertNotFoundAsync(client, $"/api/wall/{link.Token}/stores/globex/shop/insights");
    }

    [Fact]
    public async Task Recent_orders_lists_a_stores_newest_orders_first_and_refuses_bad_limits()
    {
        var client = app.CreateSignedInClient();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("ny-1", now.AddMinutes(-50), "US", ("CAP", 1, 20m)),
            Order("ny-2", now.AddMinutes(-5), "CA", ("CAP", 2, 20m)));
        await WriteAsync(OrderVersion("ny-2", now.AddMinutes(-5), "CA", now.AddMinutes(-1), [("CAP", 3, 20m)]));

        var feed = (await client.GetFromJsonAsync<RecentOrdersResponse>("/api/tenants/acme/stores/us-shop/orders/recent", Json, Ct))!;
        Assert.Equal(("USD", "America/New_York"), (feed.Currency, feed.TimeZone));
        // Other tests of this class write older orders to the same store; these two are the newest, newest first.
        Assert.Equal([("ny-2", 60m, 3, "CA"), ("ny-1", 20m, 1, "US")], feed.Orders.Take(2).Select(o => (o.OrderId, o.Total, o.Units, o.Country)));
        Assert.Equal(feed.Orders.OrderByDescending(o => o.PlacedAt).Select(o => o.OrderId), feed.Orders.Select(o => o.OrderId));

        await AssertNotFoundAsync(client, "/api/tenants/acme/stores/nowhere/orders/recent");
        using var bad = await client.GetAsync("/api/tenants/acme/stores/us-shop/orders/recent?limit=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task History_widgets_are_saved_for_today_and_refused_over_the_last_hour()
    {
        var client = app.CreateSignedInClient();
        var id = await CreateAsync(client, HistoryBoard());
        var read = await client.GetFromJsonAsync<Dashboard>($"/api/tenants/acme/dashboards/{id}", Json, Ct);
        Assert.Equal(["top-products", "order-map", "order-feed"], read!.Widgets.Select(w => w.Kind));

        var board = HistoryBoard();
        var lastHour = board with
        {
            Widgets = [.. board.Widgets.Select(w => w with { Settings = w.Settings with { Period = "last-60-minutes" } })],
        };
        using var refused = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", lastHour, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        Assert.Equal(
            ["widgets[0].settings.period", "widgets[1].settings.period", "widgets[2].settings.period"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var wrongMetric = board with { Widgets = [board.Widgets[0] with { Settings = board.Widgets[0].Settings with { Metric = "refunds" } }, .. board.Widgets.Skip(1)] };
        using var refusedMetric = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", wrongMetric, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refusedMetric.StatusCode);
    }

    private static OrderPlaced Order(string id, DateTimeOffset placedAt, string country, params (string Sku, int Quantity, decimal Price)[] lines) =>
        OrderVersion(id, placedAt, country, null, lines);

    private static OrderPlaced OrderVersion(
        string id, DateTimeOffset placedAt, string country, DateTimeOffset? version, (string Sku, int Quantity, decimal Price)[] lines)
    {
        var store = country is "US" or "CA" ? TestStore.NewYork : TestStore.London;
        return new OrderPlaced
        {
            Store = new StoreRef(store.TenantId, store.StoreId),
            Channel = SalesChannel.Shopify,
            EventId = $"{id}-{(version ?? placedAt).ToUnixTimeMilliseconds()}",
            OccurredAt = version ?? placedAt,
            StoreTimeZone = store.TimeZone,
            Currency = store.Currency,
            OrderId = id,
            PlacedAt = placedAt,
            Version = version ?? placedAt,
            TotalPrice = lines.Sum(l => l.Quantity * l.Price),
            Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Quantity, l.Price))],
            CountryCode = country,
        };
    }

    private async Task WriteAsync(params CommerceEvent[] events)
    {
        var batch = new HistoryBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }

    private static async Task<string> CreateAsync(HttpClient client, DashboardInput input)
    {
        using var response = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", input, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
    }

    private static async Task<ShareLinkCreated> ShareAsync(HttpClient client, string dashboardId)
    {
        using var response = await client.PostAsync($"/api/tenants/acme/dashboards/{dashboardId}/share", null, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!;
    }

    private static async Task AssertNotFoundAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: expected 404, got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static Alert Alert(string id, string storeId, DateTimeOffset firedAt, string message) => new()
    {
        Id = id,
        TenantId = "acme",
        StoreId = storeId,
        RuleId = "rule-1",
        RuleName = "Revenue watch",
        Kind = AlertRuleKind.Threshold,
        Status = AlertStatus.Firing,
        FiredAt = firedAt,
        Message = message,
        Figures = new AlertFigures(AlertMetric.Revenue, 80m, 100m, null, null, null, 30, firedAt, "GBP", AnomalySeverity.Low),
    };

    private sealed record AlertBody(string Id, string StoreId, string Message, string Status);

    private sealed record RowBody(string Key, string Label, decimal GrossRevenue, long Orders, long Units);

    private sealed record BreakdownBody(string By, string Currency, RowBody[] Rows);
}
