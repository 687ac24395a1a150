using System.Net;
using System.Net.Http.Json;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Stores;

public sealed class StoresApiTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Store_list_shows_configured_stores_without_their_secrets()
    {
        var client = app.CreateSignedInClient();

        var json = await client.GetStringAsync("/api/stores", Ct);
        var stores = await client.GetFromJsonAsync<StoreBody[]>("/api/stores", Ct);

        Assert.Equal(TestStore.All.Length, stores!.Length);
        var london = Assert.Single(stores, s => s.StoreId == "uk-shop");
        Assert.Equal(("acme", "GBP", "Europe/London", "Shopify"), (london.TenantId, london.Currency, london.TimeZone, london.Channel));
        Assert.DoesNotContain(TestStore.London.WebhookSecret, json, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tiles_of_an_unknown_store_are_404_problem()
    {
        var client = app.CreateSignedInClient();

        using var response = await client.GetAsync("/api/tenants/acme/stores/nope/tiles", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_api_path_is_a_404_problem_not_the_web_page()
    {
        var client = app.CreateSignedInClient();

        using var response = await client.GetAsync("/api/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private sealed record StoreBody(string TenantId, string StoreId, string Name, string Channel, string Currency, string TimeZone);
}
