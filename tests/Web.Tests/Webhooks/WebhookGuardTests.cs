using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>Issue 14: one hostile order must not stop a store.</summary>
public sealed class WebhookGuardTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_issue_14_order_is_400_naming_the_quantity_and_the_store_keeps_answering_and_accepting()
    {
        var client = app.CreateSignedInClient();
        var placed = WebAppFactory.Now.AddMinutes(-20).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes($$"""
            {"id":1400,"name":"#1400","created_at":"{{placed}}","updated_at":"{{placed}}","currency":"GBP","total_price":"20.00",
             "line_items":[{"sku":"A","title":"A","quantity":2000000000,"price":"0.01"},{"sku":"B","title":"B","quantity":2000000000,"price":"0.01"}]}
            """);

        using var hostile = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", body), Ct);
        using var tiles = await client.GetAsync("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        var valid = new TestOrder(1401, WebAppFactory.Now.AddMinutes(-10), WebAppFactory.Now.AddMinutes(-10), 35m, 3, null, 0).ToJson("GBP");
        using var later = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", valid), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, hostile.StatusCode);
        Assert.Equal("application/problem+json", hostile.Content.Headers.ContentType?.MediaType);
        var problem = await hostile.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal("lines[0].quantity", (string?)problem!["field"]);
        Assert.Contains("2000000000", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, tiles.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var after = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        Assert.Equal((35m, 1m, 3m), (after!.GrossRevenue.Value, after.Orders.Value, after.UnitsSold.Value));
    }
}
