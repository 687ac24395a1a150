using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
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
            Services = services =>
            {
                services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _upstream);
                // Counts the connection reads, so a test can see what a scheduler tick costs when no catalogue read is due.
                services.AddSingleton<EfChannelConnectionStore>();
                services.AddSingleton<IChannelConnectionStore>(sp => new CountingConnections(sp.GetRequiredService<EfChannelConnectionStore>(), _connectionReads));
            },
        });

    private readonly StrongBox<int> _connectionReads = new();

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

    [Fact]
    public async Task The_stock_out_advice_follows_the_stores_lead_time_and_a_bad_lead_time_is_a_problem_that_keeps_the_last_one()
    {
        await SeedStoreAsync(SalesChannel.WooCommerce);
        // 84 lamps over 28 days (3 a day) with 9 on hand: 3 days of cover.
        await SeedSalesAsync([("lamp", 84, 0)]);
        _upstream.On("shop.example.test/wp-json/wc/v3/products", _ => Paged("""[{"id":1,"type":"simple","sku":"lamp","manage_stock":true,"stock_quantity":9,"categories":[]}]"""));
        await ConnectAsync("woocommerce", new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1", ["consumerSecret"] = "cs_1" },
            new() { ["siteUrl"] = "https://shop.example.test" });
        await SchedulerPassAsync();
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);
        var settings = $"{Api}/settings";
        decimal perDay = 84m / StoreRecommendations.Days, cover = 9m / perDay, price = 25m;

        var initial = (await analyst.GetFromJsonAsync<RecommendationSettingsView>(settings, Json, Ct))!;
        Assert.Equal((StockOutRule.DefaultLeadTimeDays, true), (initial.LeadTimeDays, initial.LeadTimeIsDefault));

        foreach (var lead in new[] { 14, 2, 4 })
        {
            using var put = await analyst.PutAsJsonAsync(settings, new { leadTimeDays = lead }, Ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var saved = (await put.Content.ReadFromJsonAsync<RecommendationSettingsView>(Json, Ct))!;
            Assert.Equal((lead, false), (saved.LeadTimeDays, saved.LeadTimeIsDefault));
            var view = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;
            Assert.Equal(lead, view.LeadTimeDays);
            var lamp = view.Items.SingleOrDefault(i => i.Id == "StockOut:lamp");
            if (cover >= lead)
            {
                Assert.Null(lamp);
                continue;
            }

            Assert.NotNull(lamp);
            Assert.Equal(Math.Round((lead - cover) * perDay * price, 2), lamp.RevenueAtStake);
            Assert.Equal($"Reorder lamp now: {Math.Ceiling(perDay * lead)} units cover the {lead}-day restock.", lamp.Action);
        }

        // Negative, zero, absurd, a fraction, text, a boolean: each refused in words, and the 4 days set last stay.
        foreach (var body in new[] { """{"leadTimeDays":-3}""", """{"leadTimeDays":0}""", """{"leadTimeDays":366}""", """{"leadTimeDays":2.5}""",
                     """{"leadTimeDays":"seven"}""", """{"leadTimeDays":true}""", """{"leadTimeDays":1e400}""" })
        {
            using var put = await analyst.PutAsync(settings, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (put.StatusCode, put.Content.Headers.ContentType?.MediaType));
            Assert.Contains("leadTimeDays must be", await put.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        foreach (var body in new[] { "seven days", "[14]" })
        {
            using var odd = await analyst.PutAsync(settings, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (odd.StatusCode, odd.Content.Headers.ContentType?.MediaType));
        }

        Assert.Equal(4, (await analyst.GetFromJsonAsync<RecommendationSettingsView>(settings, Json, Ct))!.LeadTimeDays);

        // Null goes back to the default; a viewer may read the setting but not change it.
        using (var cleared = await analyst.PutAsJsonAsync(settings, new { leadTimeDays = (int?)null }, Ct))
        {
            var back = (await cleared.Content.ReadFromJsonAsync<RecommendationSettingsView>(Json, Ct))!;
            Assert.Equal((StockOutRule.DefaultLeadTimeDays, true), (back.LeadTimeDays, back.LeadTimeIsDefault));
        }

        using var viewer = _app.CreateSignedInClient(OrgRole.Viewer, _tenant);
        using var refused = await viewer.PutAsJsonAsync(settings, new { leadTimeDays = 30 }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(StockOutRule.DefaultLeadTimeDays, (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.LeadTimeDays);
    }

    [Fact]
    public async Task An_amazon_sellers_fba_stock_and_browse_category_are_read_on_the_schedule_and_advise_a_stock_out()
    {
        await SeedStoreAsync(SalesChannel.Amazon);
        await SeedSalesAsync([("lamp", 84, 0), ("rug", 28, 0)]);
        _upstream.On("api.amazon.com/auth/o2/token", _ => FakeUpstream.Json("""{"access_token":"Atza|ok","token_type":"bearer","expires_in":3600}"""));
        _upstream.On("sellingpartnerapi-na.amazon.com/orders/v0/orders", _ => FakeUpstream.Json("""{"payload":{"Orders":[]}}"""));
        _upstream.On("sellingpartnerapi-na.amazon.com/fba/inventory/v1/summaries", _ => FakeUpstream.Json("""
            {"pagination":{},"payload":{"granularity":{"granularityType":"Marketplace","granularityId":"ATVPDKIKX0DER"},"inventorySummaries":[
              {"asin":"B0LAMP0001","fnSku":"X0LAMP","sellerSku":"lamp","condition":"NewItem","inventoryDetails":{"fulfillableQuantity":9},"totalQuantity":11},
              {"asin":"B0RUG00001","fnSku":"X0RUG","sellerSku":"rug","condition":"NewItem","inventoryDetails":{"fulfillableQuantity":100},"totalQuantity":100}]}}
            """));
        _upstream.On("sellingpartnerapi-na.amazon.com/catalog/2022-04-01/items", _ => FakeUpstream.Json("""
            {"numberOfResults":2,"items":[
              {"asin":"B0LAMP0001","summaries":[{"marketplaceId":"ATVPDKIKX0DER","browseClassification":{"displayName":"Table Lamps","classificationId":"1063292"},"itemName":"Lamp"}]},
              {"asin":"B0RUG00001","summaries":[{"marketplaceId":"ATVPDKIKX0DER","websiteDisplayGroupName":"Home","itemName":"Rug"}]}]}
            """));
        await ConnectAsync("amazon", new() { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "Atzr|ok" }, new() { ["marketplaceIds"] = "ATVPDKIKX0DER" });

        await SchedulerPassAsync();

        var store = new StoreRef(_tenant, "shop");
        Assert.Equal([new CatalogueEntry("lamp", "Table Lamps", 9, WebAppFactory.Now), new CatalogueEntry("rug", "Home", 100, WebAppFactory.Now)],
            (await _app.Services.GetRequiredService<ProductCatalogue>().ReadAsync(store, Ct)).OrderBy(e => e.Sku, StringComparer.Ordinal));
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);
        var view = (await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!;
        var lamp = Assert.Single(view.Items, i => i.Kind == "StockOut");
        decimal perDay = 84m / StoreRecommendations.Days, cover = 9m / perDay;
        Assert.Equal(("StockOut:lamp", 9m, cover), (lamp.Id, Figure(lamp, "On hand"), Figure(lamp, "Days of cover")));
        Assert.Equal(Math.Round((StockOutRule.DefaultLeadTimeDays - cover) * perDay * 25m, 2), lamp.RevenueAtStake);
        Assert.Equal(("Amazon", "read", 2), (view.Catalogues.Single().Channel, view.Catalogues.Single().State, view.Catalogues.Single().Items));
    }

    [Fact]
    public async Task A_shop_that_has_not_granted_read_products_is_asked_to_reconnect_once_and_is_read_again_when_it_does()
    {
        await SeedStoreAsync(SalesChannel.Shopify);
        await SeedSalesAsync([("boot-41", 40, 0)]);
        var productReads = 0;
        var granted = false;
        _upstream.On($"{_tenant}.myshopify.com/admin/api/2024-10/orders.json", _ => FakeUpstream.Json("""{"orders":[]}"""));
        // Shopify's answer to a token whose install did not ask for read_products.
        _upstream.On($"{_tenant}.myshopify.com/admin/api/2024-10/products.json", _ => Interlocked.Increment(ref productReads) > 0 && Volatile.Read(ref granted)
            ? FakeUpstream.Json("""{"products":[{"id":1,"product_type":"Boots","variants":[{"id":11,"sku":"boot-41","inventory_quantity":2,"inventory_management":"shopify"}]}]}""")
            : FakeUpstream.Json("""{"errors":"[API] This action requires merchant approval for read_products scope."}""", HttpStatusCode.Forbidden));
        await ConnectAsync("shopify", new() { ["accessToken"] = "shpat_orders_only" }, []);
        var store = new StoreRef(_tenant, "shop");
        using var analyst = _app.CreateSignedInClient(OrgRole.Analyst, _tenant);

        await SchedulerPassAsync();

        var status = Assert.Single((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Catalogues);
        Assert.Equal(("Shopify", "reconnect", (DateTimeOffset?)null), (status.Channel, status.State, status.ReadAt));
        Assert.Contains("Reconnect Shopify to grant product access", status.Message, StringComparison.Ordinal);
        Assert.Contains("read_products", status.Detail, StringComparison.Ordinal);
        // The orders keep flowing with the same token: only the catalogue waits.
        Assert.Equal(SyncStates.Ok, (await _app.Services.GetRequiredService<IChannelConnectionStore>().GetStatusAsync(store, SalesChannel.Shopify, Ct)).State);

        // Hours of scheduler ticks later, Shopify has not been asked again: no error repeating every hour.
        _app.Clock.Advance(TimeSpan.FromHours(5));
        await SchedulerPassAsync();
        Assert.Equal(1, Volatile.Read(ref productReads));
        Assert.Equal("reconnect", Assert.Single((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Catalogues).State);

        // The merchant reconnects (the app install saves the connection with a token that has the scope): the next tick reads.
        Volatile.Write(ref granted, true);
        await ConnectAsync("shopify", new() { ["accessToken"] = "shpat_with_products" }, []);
        await SchedulerPassAsync();

        Assert.Equal(2, Volatile.Read(ref productReads));
        var read = Assert.Single((await analyst.GetFromJsonAsync<RecommendationsView>(Api, Json, Ct))!.Catalogues);
        Assert.Equal(("read", _app.Clock.GetUtcNow(), 1, (string?)null), (read.State, read.ReadAt, read.Items, read.Message));
        Assert.Equal([new CatalogueEntry("boot-41", "Boots", 2, _app.Clock.GetUtcNow())], await _app.Services.GetRequiredService<ProductCatalogue>().ReadAsync(store, Ct));
    }

    [Fact]
    public async Task A_scheduler_tick_with_no_catalogue_read_due_does_not_read_the_connection()
    {
        await SeedStoreAsync(SalesChannel.WooCommerce);
        var reads = 0;
        _upstream.On("shop.example.test/wp-json/wc/v3/products", _ =>
        {
            Interlocked.Increment(ref reads);
            return Paged("""[{"id":1,"type":"simple","sku":"lamp","manage_stock":true,"stock_quantity":9,"categories":[]}]""");
        });
        await ConnectAsync("woocommerce", new() { ["webhookSecret"] = "whsec-0123456789", ["consumerKey"] = "ck_1", ["consumerSecret"] = "cs_1" },
            new() { ["siteUrl"] = "https://shop.example.test" });
        await SchedulerPassAsync();
        Assert.Equal(1, Volatile.Read(ref reads));

        var before = Volatile.Read(ref _connectionReads.Value);
        _app.Clock.Advance(ProductCatalogue.RefreshInterval - TimeSpan.FromMinutes(1));
        await SchedulerPassAsync();
        Assert.Equal((before, 1), (Volatile.Read(ref _connectionReads.Value), Volatile.Read(ref reads)));

        // Once due, the connection is read and so is the catalogue.
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await SchedulerPassAsync();
        Assert.Equal((before + 1, 2), (Volatile.Read(ref _connectionReads.Value), Volatile.Read(ref reads)));
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

    /// <summary>The app's connection store, counting <see cref="IChannelConnectionStore.GetAsync"/> calls.</summary>
    private sealed class CountingConnections(IChannelConnectionStore inner, StrongBox<int> reads) : IChannelConnectionStore
    {
        public Task<ChannelConnection?> GetAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref reads.Value);
            return inner.GetAsync(store, channel, cancellationToken);
        }

        public Task<IReadOnlyList<ChannelConnection>> ListAsync(StoreRef? store, CancellationToken cancellationToken) => inner.ListAsync(store, cancellationToken);

        public Task UpsertAsync(ChannelConnection connection, CancellationToken cancellationToken) => inner.UpsertAsync(connection, cancellationToken);

        public Task<bool> DeleteAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken) => inner.DeleteAsync(store, channel, cancellationToken);

        public Task<ChannelSyncStatus> GetStatusAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken) => inner.GetStatusAsync(store, channel, cancellationToken);

        public Task SaveStatusAsync(StoreRef store, SalesChannel channel, ChannelSyncStatus status, CancellationToken cancellationToken) =>
            inner.SaveStatusAsync(store, channel, status, cancellationToken);
    }
}
