using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.Recommendations;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Identity;
using SalesDash.Web.Recommendations;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Recommendations;

/// <summary>
/// Recommendations fed by the channels' catalogues, read through the connections on the poll schedule: a product's return
/// rate against its category (Shopify's product_type) and stock-outs from stock on hand (WooCommerce's stock_quantity),
/// each figure worked out again here from the seeded orders and catalogue.
/// </summary>
public sealed class CatalogueRecommendationTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly FakeUpstream _upstream = new();

    private readonly SalesDashHost _app;

    private readonly string _tenant = $"cat-{Guid.NewGuid():N}"[..14];

    public CatalogueRecommendationTests() =>
        _app = new SalesDashHost(new SalesDashHostOptions
        {
            Stores = [],
            Settings = new Dictionary<string, string> { ["Channels:SchedulerEnabled"] = "false" },
            Services = services => services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _upstream),
        });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Api => $"/api/tenants/{_tenant}/stores/shop/recommendations";

    private DateTimeOffset Start => new(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>(sku, units sold, units returned), each order 4 units at 25, each refund 4 units.</summary>
    private static readonly (string Sku, int Units, int Returned)[] Sales = [("boot-41", 40, 16), ("boot-42", 200, 4), ("sock-1", 40, 12), ("sock-2", 40, 12)];

    [Fact]
    public async Task A_product_returned_far_above_its_category_is_advised_and_one_at_its_categorys_rate_is_not_once_the_catalogue_is_read()
    {
        await SeedStoreAsync(SalesChannel.Shopify);
        await SeedSalesAsync(Sales);
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        // Before any catalogue: the yardstick is the rest of the store, as before categories were read.
        var before = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;
        AssertReturns(before, "boot-41", null);
        AssertReturns(before, "sock-1", null);
        Assert.DoesNotContain(before.Items, i => i.Kind == "StockOut");

        // Shopify's products.json over two Link pages: boots and socks by product_type, stock not tracked.
        _upstream.On($"{_tenant}.myshopify.com/admin/api/2024-10/orders.json", _ => FakeUpstream.Json("""{"orders":[]}"""));
        _upstream.On($"{_tenant}.myshopify.com/admin/api/2024-10/products.json", request => request.RequestUri!.Query.Contains("page_info=p2", StringComparison.Ordinal)
            ? FakeUpstream.Json("""{"products":[{"id":3,"product_type":"Socks","variants":[{"id":31,"sku":"sock-1","inventory_quantity":5,"inventory_management":null},{"id":32,"sku":"sock-2","inventory_quantity":5,"inventory_management":null}]}]}""")
            : Linked("""{"products":[{"id":1,"product_type":"Boots","variants":[{"id":11,"sku":"boot-41","inventory_quantity":2,"inventory_management":null},{"id":12,"sku":"boot-42","inventory_quantity":2,"inventory_management":null}]}]}""",
                $"https://{_tenant}.myshopify.com/admin/api/2024-10/products.json?limit=250&page_info=p2"));
        await ConnectAsync("shopify", new() { ["accessToken"] = "shpat_catalogue" }, []);
        await SchedulerPassAsync();

        var after = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;
        AssertReturns(after, "boot-41", "Boots");
        Assert.DoesNotContain(after.Items, i => i.Id is "ProductReturns:sock-1" or "ProductReturns:sock-2" or "ProductReturns:boot-42");
        // Shopify does not track these variants' stock: no source of stock, so no stock-out advice.
        Assert.DoesNotContain(after.Items, i => i.Kind == "StockOut");
    }

    [Fact]
    public async Task A_product_with_three_days_of_cover_is_advised_with_the_units_to_reorder_and_one_with_plenty_or_untracked_stock_is_not()
    {
        await SeedStoreAsync(SalesChannel.WooCommerce);
        // Over the last 28 days: 84 lamps (3 a day), 28 rugs (1 a day), 56 vases (2 a day, stock not managed).
        await SeedSalesAsync([("lamp", 84, 0), ("rug", 28, 0), ("vase", 56, 0)]);
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);
        Assert.DoesNotContain((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Kind == "StockOut");

        _upstream.On("shop.example.test/wp-json/wc/v3/products", _ => Paged("""
            [{"id":1,"type":"simple","sku":"lamp","manage_stock":true,"stock_quantity":9,"categories":[{"id":1,"name":"Lighting"}]},
             {"id":2,"type":"simple","sku":"rug","manage_stock":true,"stock_quantity":100,"categories":[{"id":2,"name":"Floor"}]},
             {"id":3,"type":"simple","sku":"vase","manage_stock":false,"stock_quantity":null,"categories":[]}]
            """));
        await ConnectAsync("woocommerce", new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1", ["consumerSecret"] = "cs_1" },
            new() { ["siteUrl"] = "https://shop.example.test" });
        await SchedulerPassAsync();

        var items = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items;

        var lamp = items.Single(i => i.Kind == "StockOut");
        Assert.Equal("StockOut:lamp", lamp.Id);
        decimal perDay = 84m / StoreRecommendations.Days, cover = 9m / perDay, price = 25m;
        Assert.Equal((9m, perDay, cover, price, 0m),
            (Figure(lamp, "On hand"), Figure(lamp, "Units a day"), Figure(lamp, "Days of cover"), Figure(lamp, "Price"), Figure(lamp, "Stock counted hours ago")));
        Assert.Equal(Math.Round((StockOutRule.DefaultLeadTimeDays - cover) * perDay * price, 2), lamp.RevenueAtStake);
        Assert.Equal($"Reorder lamp now: {Math.Ceiling(perDay * StockOutRule.DefaultLeadTimeDays)} units cover the {StockOutRule.DefaultLeadTimeDays}-day restock.", lamp.Action);

        // A dismissal sticks to the advice (kind and SKU) on the next read; reopening brings it back as open.
        using (var dismissed = await analyst.PutAsJsonAsync($"{Api}/{Uri.EscapeDataString(lamp.Id)}/status", new { status = "dismissed" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        }

        Assert.Equal("dismissed", (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Id == lamp.Id).Status);
        using (var reopened = await analyst.PutAsJsonAsync($"{Api}/{Uri.EscapeDataString(lamp.Id)}/status", new { status = "open" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, reopened.StatusCode);
        }

        var again = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items.Single(i => i.Id == lamp.Id);
        Assert.Equal(("open", (BeforeAfter?)null), (again.Status, again.Result));
    }

    [Fact]
    public async Task A_failed_catalogue_read_keeps_what_was_read_and_a_stock_count_a_day_old_advises_nothing()
    {
        await SeedStoreAsync(SalesChannel.WooCommerce);
        await SeedSalesAsync([("lamp", 84, 0)]);
        // The first read answers; later ones get WooCommerce's answer when its REST API is switched off (a 404 is not retried).
        var reads = 0;
        _upstream.On("shop.example.test/wp-json/wc/v3/products", _ => Interlocked.Increment(ref reads) == 1
            ? Paged("""[{"id":1,"type":"simple","sku":"lamp","manage_stock":true,"stock_quantity":9,"categories":[{"id":1,"name":"Lighting"}]}]""")
            : FakeUpstream.Json("""{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}""", HttpStatusCode.NotFound));
        await ConnectAsync("woocommerce", new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1", ["consumerSecret"] = "cs_1" },
            new() { ["siteUrl"] = "https://shop.example.test" });
        await SchedulerPassAsync();
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);
        Assert.Contains((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Id == "StockOut:lamp");

        // A day and a minute on, the read fails: the rows stay (with their age), the error is kept, and the count is too old to advise on.
        _app.Clock.Advance(StoreRecommendations.StockStaleAfter + TimeSpan.FromMinutes(1));
        await SchedulerPassAsync();

        var catalogue = _app.Services.GetRequiredService<ProductCatalogue>();
        var store = new StoreRef(_tenant, "shop");
        Assert.Equal([new CatalogueEntry("lamp", "Lighting", 9, WebAppFactory.Now)], await catalogue.ReadAsync(store, Ct));
        var read = Assert.Single(await catalogue.ReadsAsync(store, Ct));
        Assert.Equal(2, reads);
        Assert.Contains("HTTP 404", read.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Items, i => i.Kind == "StockOut");
    }

    [Fact]
    public async Task A_catalogue_key_without_an_https_site_is_a_validation_problem_and_nothing_is_saved()
    {
        await SeedStoreAsync(SalesChannel.WooCommerce);
        using var admin = _app.CreateSignedInClient(OrgRole.Admin, _tenant);

        using var plain = await admin.PutAsJsonAsync($"/api/tenants/{_tenant}/stores/shop/channels/woocommerce", new ChannelConnectionRequest(true,
            new() { ["siteUrl"] = "http://shop.example.test" }, new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1", ["consumerSecret"] = "cs_1" }, null), Ct);
        using var half = await admin.PutAsJsonAsync($"/api/tenants/{_tenant}/stores/shop/channels/woocommerce", new ChannelConnectionRequest(true,
            new() { ["siteUrl"] = "https://shop.example.test" }, new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1" }, null), Ct);

        foreach (var (response, field) in new[] { (plain, "settings.siteUrl"), (half, "credentials.consumerSecret") })
        {
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
            Assert.Contains(field, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Null(await _app.Services.GetRequiredService<IChannelConnectionStore>().GetAsync(new StoreRef(_tenant, "shop"), SalesChannel.WooCommerce, Ct));
    }

    /// <summary>Checks the return-rate advice of one product against the rates worked out from <see cref="Sales"/>.</summary>
    private static void AssertReturns(RecommendationsView view, string sku, string? category)
    {
        var product = Sales.Single(s => s.Sku == sku);
        var rest = Sales.Where(s => s.Sku != sku && (category is null || s.Sku.StartsWith(sku[..4], StringComparison.Ordinal))).ToList();
        decimal rate = (decimal)product.Returned / product.Units, restRate = (decimal)rest.Sum(s => s.Returned) / rest.Sum(s => s.Units);
        var item = view.Items.Single(i => i.Id == $"ProductReturns:{sku}");
        Assert.Equal((Math.Round(rate, 4), Math.Round(restRate, 4)), (Figure(item, "Return rate"), Figure(item, "Category return rate")));
        Assert.Equal(Math.Round((rate - restRate) * product.Units * 25m, 2), item.RevenueAtStake);
        Assert.Contains($"; {category ?? "all products (no categories known)"}: ", item.Title, StringComparison.Ordinal);
    }

    private static decimal? Figure(RecommendationView item, string name) => item.Figures.Single(f => f.Name == name).Value;

    private static HttpResponseMessage Linked(string json, string next)
    {
        var response = FakeUpstream.Json(json);
        response.Headers.TryAddWithoutValidation("Link", $"<{next}>; rel=\"next\"");
        return response;
    }

    private static HttpResponseMessage Paged(string json)
    {
        var response = FakeUpstream.Json(json);
        response.Headers.TryAddWithoutValidation("X-WP-TotalPages", "1");
        return response;
    }

    private async Task ConnectAsync(string channel, Dictionary<string, string> credentials, Dictionary<string, string> settings)
    {
        using var admin = _app.CreateSignedInClient(OrgRole.Admin, _tenant);
        using var put = await admin.PutAsJsonAsync($"/api/tenants/{_tenant}/stores/shop/channels/{channel}", new ChannelConnectionRequest(true, settings, credentials, null), Ct);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>One pass of the channel scheduler, as the cluster-jobs singleton runs it.</summary>
    private Task SchedulerPassAsync() => _app.Services.GetServices<IClusterJob>().OfType<ChannelSyncService>().Single().RunDueAsync(Ct);

    private async Task SeedStoreAsync(SalesChannel platform) =>
        await _app.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(new StoreProfile(new StoreRef(_tenant, "shop"), _tenant, platform,
            $"{_tenant}.myshopify.com", "USD", "UTC", "secret-0123456789-abcdef"), Ct);

    /// <summary>Orders of 4 units at 25 spread over the last 27 whole days, and refunds of 4 units of the first orders.</summary>
    private async Task SeedSalesAsync(IEnumerable<(string Sku, int Units, int Returned)> sales)
    {
        var batch = new HistoryBatch();
        foreach (var (sku, units, returned) in sales)
        {
            for (var i = 0; i < units / 4; i++)
            {
                var at = Start.AddDays(-1 - (i % 27)).AddHours(9);
                batch.Add(new OrderFact(_tenant, "shop", SalesChannel.Shopify, $"{sku}-{i}", 1, at, "USD", 100m, 4, false, false, "direct", "US", [new(1, sku, sku, 4, 25m, 100m)]));
                if (i < returned / 4)
                {
                    batch.Add(new RefundFact(_tenant, "shop", SalesChannel.Shopify, $"r-{sku}-{i}", $"{sku}-{i}", at.AddHours(2), 100m, 4, [new(1, sku, 4, 100m)]));
                }
            }
        }

        var history = _app.Services.GetRequiredService<IHistoryStore>();
        await history.InitializeAsync(Ct);
        await history.WriteFactsAsync(batch, Ct);
    }
}
