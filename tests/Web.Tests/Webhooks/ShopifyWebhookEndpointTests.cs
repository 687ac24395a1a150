using System.Net;
using System.Net.Http.Json;
using System.Text;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

public sealed class ShopifyWebhookEndpointTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static readonly DateTimeOffset Placed = WebAppFactory.Now.AddMinutes(-30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_signature_is_401_problem_and_nothing_is_counted()
    {
        var client = app.CreateSignedInClient();
        var body = new TestOrder(9001, Placed, Placed, 120.50m, 2, 1, 1).ToJson("USD");

        using var response = await client.SendAsync(
            ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body, signature: ShopifyPayloads.Sign("not-the-secret", body)), Ct);
        using var unsigned = await client.SendAsync(
            ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body, signature: ""), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);
        Assert.Equal(0m, tiles!.Orders.Value);
        Assert.Equal(0m, tiles.GrossRevenue.Value);
    }

    [Fact]
    public async Task Malformed_json_is_400_problem_with_the_reason()
    {
        var client = app.CreateSignedInClient();
        var body = Encoding.UTF8.GetBytes("{\"id\": 77, \"total_price\": ");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Ct);
        Assert.Equal(400, problem!.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);
        Assert.Equal(0m, tiles!.Orders.Value);
    }

    [Fact]
    public async Task Order_without_required_fields_is_400()
    {
        var client = app.CreateSignedInClient();
        var body = Encoding.UTF8.GetBytes("{\"name\": \"#1\", \"total_price\": \"10.00\"}");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Order_dated_far_in_the_future_is_400_and_leaves_the_figures_alone()
    {
        var client = app.CreateSignedInClient();
        var future = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var body = new TestOrder(9002, future, future, 50m, 1, null, 0).ToJson("USD");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.NewYork, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("2099", (await response.Content.ReadFromJsonAsync<ProblemBody>(Ct))!.Detail, StringComparison.Ordinal);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/us-shop/tiles", Ct);
        Assert.Equal(0m, tiles!.Orders.Value);
    }

    [Fact]
    public async Task Unknown_store_is_404_problem()
    {
        var client = app.CreateSignedInClient();
        var stranger = TestStore.NewYork with { ShopDomain = "nobody.myshopify.com" };
        var body = new TestOrder(1, Placed, Placed, 10m, 1, null, 0).ToJson("USD");

        using var response = await client.SendAsync(ShopifyPayloads.Webhook(stranger, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Duplicate_delivery_and_stale_update_are_counted_once()
    {
        var client = app.CreateSignedInClient();
        var order = new TestOrder(5550001, Placed, Placed.AddMinutes(5), 80.00m, 4, 42, 3);
        var body = order.ToJson("EUR");
        var webhookId = Guid.NewGuid().ToString();

        var first = await PostAsync(client, ShopifyPayloads.Webhook(TestStore.Other, "orders/create", body, webhookId));
        var retry = await PostAsync(client, ShopifyPayloads.Webhook(TestStore.Other, "orders/create", body, webhookId));

        // The same order again under a new delivery id but an older version: nothing newer to learn.
        var stale = (order with { UpdatedAt = Placed, TotalPrice = 999m }).ToJson("EUR");
        var staleUpdate = await PostAsync(client, ShopifyPayloads.Webhook(TestStore.Other, "orders/updated", stale));

        Assert.Equal("accepted", first.Outcome);
        Assert.Equal("duplicate", retry.Outcome);
        Assert.Equal("duplicate", staleUpdate.Outcome);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/globex/stores/shop/tiles", Ct);
        Assert.Equal(1m, tiles!.Orders.Value);
        Assert.Equal(80.00m, tiles.GrossRevenue.Value);
        Assert.Equal(4m, tiles.UnitsSold.Value);
        Assert.Equal(1m, tiles.ReturningCustomers.Value);
        Assert.Equal("EUR", tiles.Currency);
    }

    private static async Task<ReceiptBody> PostAsync(HttpClient client, HttpRequestMessage request)
    {
        using var _ = request;
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReceiptBody>(Ct))!;
    }

    private sealed record ReceiptBody(string Outcome, int Events);

    private sealed record ProblemBody(string? Title, string? Detail, int Status);
}
