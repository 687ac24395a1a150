using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Tests.Support;

namespace SalesDash.Connectors.Tests.Pollers;

/// <summary>
/// An Amazon seller's catalogue as SP-API documents it: FBA Inventory v1 getInventorySummaries (payload.inventorySummaries,
/// inventoryDetails.fulfillableQuantity, top-level pagination.nextToken) and Catalog Items 2022-04-01 searchCatalogItems
/// (items[].summaries[].browseClassification.displayName); throttling as SP-API sends it (429 with x-amzn-RateLimit-Limit
/// and no Retry-After); the SP-API error list on 401/403.
/// </summary>
public sealed class AmazonCatalogueReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private static readonly Uri Endpoint = new("https://sellingpartnerapi-na.amazon.com");
    private static readonly Uri TokenEndpoint = new("https://api.amazon.com/auth/o2/token");
    private const string Marketplace = "ATVPDKIKX0DER";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool IsInventory(SeenRequest r) => r.Uri.AbsolutePath == "/fba/inventory/v1/summaries";

    private static bool IsCatalog(SeenRequest r) => r.Uri.AbsolutePath == "/catalog/2022-04-01/items";

    private static bool IsToken(SeenRequest r) => r.Uri == TokenEndpoint;

    private static string Query(SeenRequest r, string name) =>
        r.Uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1])).SingleOrDefault() ?? string.Empty;

    // First page: a SKU with stock, an FBA listing without a SKU, and the token of the next page.
    private const string InventoryPage1 = """
        {"pagination":{"nextToken":"seed-2"},
         "payload":{"granularity":{"granularityType":"Marketplace","granularityId":"ATVPDKIKX0DER"},"inventorySummaries":[
           {"asin":"B0BOOT0041","fnSku":"X00BOOT41","sellerSku":"boot-41","condition":"NewItem",
            "inventoryDetails":{"fulfillableQuantity":12,"inboundWorkingQuantity":0,"inboundShippedQuantity":0,"inboundReceivingQuantity":0,
              "reservedQuantity":{"totalReservedQuantity":3,"pendingCustomerOrderQuantity":3,"pendingTransshipmentQuantity":0,"fcProcessingQuantity":0}},
            "lastUpdatedTime":"2026-11-25T10:00:00Z","productName":"Trail boot 41","totalQuantity":15},
           {"asin":"B0NOSKU001","fnSku":"X00NOSKU1","sellerSku":"","condition":"NewItem","inventoryDetails":{"fulfillableQuantity":4},"productName":"Old listing","totalQuantity":4}]}}
        """;

    // Last page (no nextToken): a sold-out SKU, and one whose ASIN the catalogue will not answer for.
    private const string InventoryPage2 = """
        {"pagination":{},
         "payload":{"granularity":{"granularityType":"Marketplace","granularityId":"ATVPDKIKX0DER"},"inventorySummaries":[
           {"asin":"B0SOCK0001","fnSku":"X00SOCK01","sellerSku":"sock-1","condition":"NewItem","inventoryDetails":{"fulfillableQuantity":0},"productName":"Wool sock","totalQuantity":2},
           {"asin":"B0MUG00001","fnSku":"X00MUG001","sellerSku":"mug","condition":"NewItem","inventoryDetails":{"fulfillableQuantity":7},"productName":"Mug","totalQuantity":7}]}}
        """;

    // searchCatalogItems for the three ASINs with a SKU: a browse node for the boot, only a display group for the sock, nothing for the mug.
    private const string CatalogPage = """
        {"numberOfResults":2,"pagination":{},"refinements":{"brands":[],"classifications":[]},"items":[
          {"asin":"B0BOOT0041","summaries":[
            {"marketplaceId":"A2EUQ1WTGCTBG2","browseClassification":{"displayName":"Bottes","classificationId":"1"},"itemName":"Trail boot"},
            {"marketplaceId":"ATVPDKIKX0DER","brand":"Acme","browseClassification":{"displayName":"Hiking Boots","classificationId":"679337011"},
             "itemClassification":"BASE_PRODUCT","itemName":"Trail boot","websiteDisplayGroup":"shoes_display_on_website","websiteDisplayGroupName":"Shoes"}]},
          {"asin":"B0SOCK0001","summaries":[{"marketplaceId":"ATVPDKIKX0DER","itemName":"Wool sock","websiteDisplayGroup":"apparel_display_on_website","websiteDisplayGroupName":"Apparel"}]}]}
        """;

    private static HttpResponseMessage Throttled(string perSecond)
    {
        var response = FakeChannel.Json("""{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource.","details":""}]}""", HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-amzn-RateLimit-Limit", perSecond);
        return response;
    }

    private static FakeChannel Amazon() => new FakeChannel()
        .On(IsToken, _ => FakeChannel.Json("""{"access_token":"Atza|first","refresh_token":"Atzr|r","token_type":"bearer","expires_in":3600}"""));

    private static AmazonCatalogueReader Reader(FakeChannel channel, TimeProvider clock) =>
        new(new ChannelHttp(channel.Client(), clock, AmazonRateLimits.Options(clock)),
            new RefreshTokenSource(channel.Client(), TokenEndpoint, "amzn1.application-oa2-client.1", "client-secret", "Atzr|refresh", clock),
            new AmazonSettings(Endpoint, [Marketplace, "A2EUQ1WTGCTBG2"], Now.AddDays(-7)));

    [Fact]
    public async Task Fba_stock_is_read_across_next_token_pages_after_a_429_and_each_sku_gets_its_asins_browse_category()
    {
        var channel = Amazon()
            .On(r => IsInventory(r) && Query(r, "nextToken") == "seed-2", _ => FakeChannel.Json(InventoryPage2))
            .On(IsInventory, _ => Throttled("2.0"), _ => FakeChannel.Json(InventoryPage1))
            .On(IsCatalog, _ => FakeChannel.Json(CatalogPage));
        var clock = new SteppingClock(Now);

        var read = await Reader(channel, clock).ReadCatalogueAsync(Ct);

        Assert.Equal(
            [new CatalogueItem("boot-41", "Hiking Boots", 12), new CatalogueItem("mug", null, 7), new CatalogueItem("sock-1", "Apparel", 0)],
            read.Items);
        Assert.Equal((3, 1), (read.Pages, read.WithoutSku));
        // SP-API gives no Retry-After: one request's worth of the stated 2 a second.
        Assert.Equal([TimeSpan.FromMilliseconds(500)], clock.Waits);

        var inventory = channel.Seen.Where(IsInventory).ToList();
        Assert.All(inventory, r => Assert.Equal(("true", "Marketplace", Marketplace, Marketplace),
            (Query(r, "details"), Query(r, "granularityType"), Query(r, "granularityId"), Query(r, "marketplaceIds"))));
        Assert.Equal(["", "", "seed-2"], inventory.Select(r => Query(r, "nextToken")));
        var catalog = Assert.Single(channel.Seen, IsCatalog);
        Assert.Equal(("B0BOOT0041,B0SOCK0001,B0MUG00001", "ASIN", Marketplace, "summaries"),
            (Query(catalog, "identifiers"), Query(catalog, "identifiersType"), Query(catalog, "marketplaceIds"), Query(catalog, "includedData")));
        Assert.All(channel.Seen.Where(r => !IsToken(r)), r => Assert.Equal("Atza|first", r.Headers["x-amz-access-token"]));
    }

    [Fact]
    public async Task Asins_are_asked_of_the_catalogue_twenty_at_a_time_following_its_page_token()
    {
        var skus = Enumerable.Range(1, 45).Select(i => (Sku: $"sku-{i:00}", Asin: $"B0ASIN{i:0000}")).ToList();
        var summaries = new JsonArray([.. skus.Select(s => (JsonNode)new JsonObject
        {
            ["asin"] = s.Asin, ["sellerSku"] = s.Sku, ["condition"] = "NewItem", ["inventoryDetails"] = new JsonObject { ["fulfillableQuantity"] = 1 },
        })]);
        var inventory = new JsonObject { ["payload"] = new JsonObject { ["inventorySummaries"] = summaries }, ["pagination"] = new JsonObject() }.ToJsonString();

        // Each call answers the first half of its ASINs on one page and the rest on a second, reached by pageToken.
        static HttpResponseMessage Catalog(SeenRequest r)
        {
            var asked = Query(r, "identifiers").Split(',');
            var second = Query(r, "pageToken") == "p2";
            var half = (asked.Length + 1) / 2;
            var items = new JsonArray([.. (second ? asked.Skip(half) : asked.Take(half)).Select(a => (JsonNode)new JsonObject
            {
                ["asin"] = a, ["summaries"] = new JsonArray(new JsonObject { ["marketplaceId"] = Marketplace, ["browseClassification"] = new JsonObject { ["displayName"] = "Group " + a[^1] } }),
            })]);
            var page = new JsonObject { ["numberOfResults"] = asked.Length, ["items"] = items, ["pagination"] = second ? new JsonObject() : new JsonObject { ["nextToken"] = "p2" } };
            return FakeChannel.Json(page.ToJsonString());
        }

        var channel = Amazon().On(IsInventory, _ => FakeChannel.Json(inventory)).On(IsCatalog, Catalog);

        var read = await Reader(channel, new SteppingClock(Now)).ReadCatalogueAsync(Ct);

        Assert.Equal(skus.Select(s => new CatalogueItem(s.Sku, "Group " + s.Asin[^1], 1)), read.Items);
        var firstPages = channel.Seen.Where(r => IsCatalog(r) && Query(r, "pageToken").Length == 0).Select(r => Query(r, "identifiers").Split(',').Length);
        Assert.Equal([20, 20, 5], firstPages);
        Assert.All(channel.Seen.Where(IsCatalog), r => Assert.Equal("20", Query(r, "pageSize")));
        Assert.Equal(1 + 3 * 2, read.Pages);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task A_refused_token_is_renewed_once_and_a_second_refusal_is_a_credentials_error(HttpStatusCode status)
    {
        var channel = new FakeChannel()
            .On(IsToken, _ => FakeChannel.Json("""{"access_token":"Atza|old","expires_in":3600}"""), _ => FakeChannel.Json("""{"access_token":"Atza|new","expires_in":3600}"""))
            .On(IsInventory, _ => FakeChannel.Json("""{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":""}]}""", status));

        var error = await Assert.ThrowsAsync<ChannelAuthException>(() => Reader(channel, new SteppingClock(Now)).ReadCatalogueAsync(Ct));

        Assert.Contains("Access to requested resource is denied", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Atza|old", "Atza|new"], channel.Seen.Where(IsInventory).Select(r => r.Headers["x-amz-access-token"]));
        Assert.DoesNotContain(channel.Seen, IsCatalog);
    }

    [Theory]
    [InlineData("""{"payload":{"inventorySummaries":[{"asin":"B0X","sellerSku":"a","inventoryDetails":{"fulfillableQuantity":"twelve"}}]}}""", null, "payload.inventorySummaries[0].inventoryDetails.fulfillableQuantity")]
    [InlineData("""{"payload":{"inventorySummaries":{"asin":"B0X"}}}""", null, "payload.inventorySummaries")]
    [InlineData("""{"errors":[]}""", null, "payload")]
    [InlineData("""{"payload":{"inventorySummaries":[{"asin":"B0X","sellerSku":"a","inventoryDetails":{"fulfillableQuantity":1}}]}}""", """{"items":[{"summaries":[]}]}""", "items[0].asin")]
    public async Task A_malformed_page_is_a_channel_error_naming_the_field(string inventory, string? catalog, string field)
    {
        var channel = Amazon().On(IsInventory, _ => FakeChannel.Json(inventory)).On(IsCatalog, _ => FakeChannel.Json(catalog ?? """{"items":[]}"""));

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => Reader(channel, new SteppingClock(Now)).ReadCatalogueAsync(Ct));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(catalog is null ? "getInventorySummaries" : "searchCatalogItems", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_429_waits_as_retry_after_says_when_given_else_one_request_at_the_stated_rate()
    {
        using var stated = Throttled("0.5");
        using var both = Throttled("0.5");
        both.Headers.TryAddWithoutValidation("Retry-After", "9");
        using var neither = FakeChannel.Json("{}", HttpStatusCode.TooManyRequests);
        using var ok = FakeChannel.Json("{}");
        ok.Headers.TryAddWithoutValidation("x-amzn-RateLimit-Limit", "0.0167");

        Assert.Equal(new ResponseClass(ResponseKind.Throttled, TimeSpan.FromSeconds(2)), AmazonRateLimits.Classify(stated, Now));
        Assert.Equal(new ResponseClass(ResponseKind.Throttled, TimeSpan.FromSeconds(9)), AmazonRateLimits.Classify(both, Now));
        Assert.Equal(new ResponseClass(ResponseKind.Throttled), AmazonRateLimits.Classify(neither, Now));
        Assert.Equal(new ResponseClass(ResponseKind.Success), AmazonRateLimits.Classify(ok, Now));
    }

    [Fact]
    public void The_amazon_module_reads_the_catalogue_with_the_connections_region_and_marketplaces()
    {
        var values = new ConnectionValues(
            new Dictionary<string, string> { ["marketplaceIds"] = "A1PA6795UKMFR9,A1RKKUPIHCS9HS", ["region"] = "eu" },
            new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "Atzr|ok" });
        using var http = new HttpClient();
        var context = new PollerContext(http, new ChannelEndpoints(), TestStores.UsShop, new MemoryCursors(), new SteppingClock(Now));

        Assert.IsType<AmazonCatalogueReader>(new AmazonPollerModule().CreateCatalogueReader(values, context));
        Assert.Throws<InvalidOperationException>(() => new AmazonPollerModule().CreateCatalogueReader(new ConnectionValues(values.Settings, new Dictionary<string, string>()), context));
    }
}
