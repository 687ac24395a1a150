using System.Net;
using System.Text;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Connectors.WooCommerce;

namespace SalesDash.Connectors.Tests.Pollers;

/// <summary>
/// The channels' catalogues as their documented APIs answer them: categories and stock per SKU, across pages, after a 429,
/// with variants that have no SKU, products that have no category and stock nobody tracks.
/// </summary>
public sealed class CatalogueReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Shopify Admin REST products.json, trimmed to the fields asked for (fields=id,product_type,variants).
    private const string ShopifyPage1 = """
        {"products":[
          {"id":632910392,"product_type":"Boots","variants":[
            {"id":808950810,"sku":"boot-41","inventory_item_id":1,"inventory_quantity":3,"inventory_management":"shopify"},
            {"id":808950811,"sku":"boot-42","inventory_item_id":2,"inventory_quantity":0,"inventory_management":"shopify"},
            {"id":808950812,"sku":"","inventory_item_id":3,"inventory_quantity":9,"inventory_management":"shopify"}]},
          {"id":632910393,"product_type":"","variants":[
            {"id":808950813,"sku":"gift-card","inventory_item_id":4,"inventory_quantity":-12,"inventory_management":null}]}
        ]}
        """;

    private const string ShopifyPage2 = """
        {"products":[
          {"id":632910394,"product_type":"Socks","variants":[
            {"id":808950814,"sku":"sock-1","inventory_item_id":5,"inventory_quantity":140,"inventory_management":"shopify"},
            {"id":808950815,"sku":null,"inventory_item_id":6,"inventory_quantity":1,"inventory_management":"shopify"}]}
        ]}
        """;

    [Fact]
    public async Task Shopify_catalogue_is_read_across_link_pages_after_a_429_with_product_type_as_category_and_tracked_stock_only()
    {
        var channel = new FakeChannel()
            .On(r => r.Uri.Query.Contains("page_info=abc123", StringComparison.Ordinal), _ => FakeChannel.Json(ShopifyPage2))
            .On(r => r.Uri.AbsolutePath == "/admin/api/2024-10/products.json",
                _ => FakeChannel.Throttled("2.0"),
                _ =>
                {
                    var response = FakeChannel.Json(ShopifyPage1);
                    response.Headers.TryAddWithoutValidation("Link", "<https://acme-us.myshopify.com/admin/api/2024-10/products.json?limit=250&page_info=abc123>; rel=\"next\"");
                    return response;
                });
        var clock = new SteppingClock(Now);
        var poller = new ShopifyBackfillPoller(new ChannelHttp(channel.Client(), clock), new StaticAccessToken("shpat_123"),
            new ShopifyAdminSettings(new Uri("https://acme-us.myshopify.com"), "2024-10", Now.AddDays(-1)), TestStores.UsShop, new MemoryCursors());

        var read = await poller.ReadCatalogueAsync(Ct);

        Assert.Equal(
            [new CatalogueItem("boot-41", "Boots", 3), new CatalogueItem("boot-42", "Boots", 0), new CatalogueItem("gift-card", null, null), new CatalogueItem("sock-1", "Socks", 140)],
            read.Items);
        Assert.Equal((2, 2), (read.Pages, read.WithoutSku));
        Assert.Equal([TimeSpan.FromSeconds(2)], clock.Waits);
        Assert.All(channel.Seen, r => Assert.Equal("shpat_123", r.Headers["X-Shopify-Access-Token"]));
    }

    [Fact]
    public async Task Shopify_catalogue_page_that_is_not_a_product_list_is_a_channel_error()
    {
        var channel = new FakeChannel().On(_ => true, _ => FakeChannel.Json("""{"products":[{"id":1,"product_type":7,"variants":[]}]}"""));
        var poller = new ShopifyBackfillPoller(new ChannelHttp(channel.Client(), new SteppingClock(Now)), new StaticAccessToken("shpat_123"),
            new ShopifyAdminSettings(new Uri("https://acme-us.myshopify.com"), "2024-10", Now.AddDays(-1)), TestStores.UsShop, new MemoryCursors());

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => poller.ReadCatalogueAsync(Ct));

        Assert.Contains("products[0].product_type", error.Message, StringComparison.Ordinal);
    }

    // WooCommerce REST v3 GET /products: a list; the page count comes in X-WP-TotalPages.
    private const string WooPage1 = """
        [
          {"id":794,"name":"Trail boot","type":"variable","sku":"trail","manage_stock":false,"stock_quantity":null,
           "categories":[{"id":9,"name":"Boots","slug":"boots"},{"id":15,"name":"Outdoor","slug":"outdoor"}],"variations":[795,796,797]},
          {"id":800,"name":"Wool sock","type":"simple","sku":"sock-1","manage_stock":true,"stock_quantity":25,
           "categories":[{"id":10,"name":"Socks","slug":"socks"}],"variations":[]}
        ]
        """;

    private const string WooPage2 = """
        [
          {"id":801,"name":"Poster","type":"simple","sku":"poster","manage_stock":false,"stock_quantity":null,"categories":[],"variations":[]},
          {"id":802,"name":"Sample","type":"simple","sku":"","manage_stock":true,"stock_quantity":4,"categories":[{"id":10,"name":"Socks","slug":"socks"}],"variations":[]}
        ]
        """;

    // GET /products/794/variations: one with its own stock, one whose stock the parent keeps, one without a SKU.
    private const string WooVariations = """
        [
          {"id":795,"sku":"trail-41","manage_stock":true,"stock_quantity":2},
          {"id":796,"sku":"trail-42","manage_stock":"parent","stock_quantity":6},
          {"id":797,"sku":"","manage_stock":true,"stock_quantity":1}
        ]
        """;

    [Fact]
    public async Task WooCommerce_catalogue_is_read_by_total_pages_and_variations_after_a_429_with_the_first_category_and_managed_stock_only()
    {
        static HttpResponseMessage Page(string json, int pages)
        {
            var response = FakeChannel.Json(json);
            response.Headers.TryAddWithoutValidation("X-WP-Total", "4");
            response.Headers.TryAddWithoutValidation("X-WP-TotalPages", pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }

        var channel = new FakeChannel()
            .On(r => r.Uri.AbsolutePath == "/wp-json/wc/v3/products/794/variations", _ => Page(WooVariations, 1))
            .On(r => r.Uri.AbsolutePath == "/wp-json/wc/v3/products" && r.Uri.Query.Contains("page=2", StringComparison.Ordinal), _ => Page(WooPage2, 2))
            .On(r => r.Uri.AbsolutePath == "/wp-json/wc/v3/products",
                _ => FakeChannel.Throttled("3", """{"code":"rest_too_many_requests","message":"Too many requests.","data":{"status":429}}"""), _ => Page(WooPage1, 2));
        var clock = new SteppingClock(Now);
        var reader = new WooCommerceCatalogueReader(new ChannelHttp(channel.Client(), clock), new WooCommerceRestKey(new Uri("https://shop.example.com/"), "ck_abc", "cs_def"));

        var read = await reader.ReadCatalogueAsync(Ct);

        Assert.Equal(
            [new CatalogueItem("poster", null, null), new CatalogueItem("sock-1", "Socks", 25), new CatalogueItem("trail", "Boots", null),
                new CatalogueItem("trail-41", "Boots", 2), new CatalogueItem("trail-42", "Boots", null)],
            read.Items);
        Assert.Equal((3, 2), (read.Pages, read.WithoutSku));
        Assert.Equal([TimeSpan.FromSeconds(3)], clock.Waits);
        Assert.All(channel.Seen, r => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ck_abc:cs_def")), r.Headers["Authorization"]));
        Assert.All(channel.Seen, r => Assert.Contains("per_page=100", r.Uri.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WooCommerce_refused_key_is_a_credentials_error_and_an_object_where_a_list_belongs_is_a_channel_error()
    {
        var refused = new FakeChannel().On(_ => true,
            _ => FakeChannel.Json("""{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}""", HttpStatusCode.Unauthorized));
        var key = new WooCommerceRestKey(new Uri("https://shop.example.com/"), "ck_abc", "cs_def");
        await Assert.ThrowsAsync<ChannelAuthException>(() => new WooCommerceCatalogueReader(new ChannelHttp(refused.Client(), new SteppingClock(Now)), key).ReadCatalogueAsync(Ct));

        var odd = new FakeChannel().On(_ => true, _ => FakeChannel.Json("""{"id":1}"""));
        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => new WooCommerceCatalogueReader(new ChannelHttp(odd.Client(), new SteppingClock(Now)), key).ReadCatalogueAsync(Ct));
        Assert.Contains("list of products", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WooCommerce_list_with_an_item_that_is_not_a_product_object_is_a_channel_error_naming_the_item()
    {
        var channel = new FakeChannel().On(_ => true, _ => FakeChannel.Json("""[{"id":1,"sku":"a","categories":[]},7]"""));
        var key = new WooCommerceRestKey(new Uri("https://shop.example.com/"), "ck_abc", "cs_def");

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => new WooCommerceCatalogueReader(new ChannelHttp(channel.Client(), new SteppingClock(Now)), key).ReadCatalogueAsync(Ct));

        Assert.Contains("products[page 1][1]: expected an object but found the number 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseArray_reads_a_list_body_and_names_what_it_found_instead_as_ParseObject_does()
    {
        using (var list = JsonFields.ParseArray("""[{"id":1},{"id":2}]"""u8.ToArray()))
        {
            Assert.Equal(["page[0]", "page[1]"], JsonFields.Items(list.RootElement, "page").Select(i => i.Path));
        }

        Assert.Equal("body: expected a JSON array but found object", Assert.Throws<FieldException>(() => JsonFields.ParseArray("""{"id":1}"""u8.ToArray())).Message);
        Assert.Equal("body: expected a JSON object but found array", Assert.Throws<FieldException>(() => JsonFields.ParseObject("[]"u8.ToArray())).Message);
        Assert.StartsWith("body: not valid JSON", Assert.Throws<FieldException>(() => JsonFields.ParseArray("[{"u8.ToArray())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sku_listed_twice_keeps_its_first_category_and_adds_the_stock_tracked_on_either_listing()
    {
        var catalogue = new CatalogueBuilder();
        catalogue.Add(" mug ", null, 3);
        catalogue.Add("mug", "Kitchen", null);
        catalogue.Add("mug", "Gifts", 4);
        catalogue.Add("pin", "  ", null);
        catalogue.Add("pin", null, null);
        catalogue.Add("   ", "Kitchen", 1);

        var read = catalogue.Build(pages: 1);

        Assert.Equal([new CatalogueItem("mug", "Kitchen", 7), new CatalogueItem("pin", null, null)], read.Items);
        Assert.Equal(1, read.WithoutSku);
    }
}
