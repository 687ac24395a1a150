using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Stores;

/// <summary>The one store-scoped route group: its filter answers an unknown store for every route, and old addresses move there.</summary>
public sealed class StoreScopeTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IReadOnlyList<string> StoreScopedGets() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(StoreScope.Prefix, StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern.RawText!)
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public async Task Every_store_scoped_read_answers_an_unknown_store_with_the_same_404_problem()
    {
        var routes = StoreScopedGets();
        string[] expected = ["/tiles", "/history/summary", "/history/trend", "/history/breakdown", "/orders/recent", "/forecast", "/insights"];
        Assert.Superset(expected.Select(r => StoreScope.Prefix + r).ToHashSet(), routes.ToHashSet());

        var client = app.CreateSignedInClient();
        foreach (var route in routes)
        {
            var url = route.Replace("{tenantId}", "acme", StringComparison.Ordinal).Replace("{storeId}", "nowhere", StringComparison.Ordinal);
            using var response = await client.GetAsync(url, Ct);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("Unknown store", problem.GetProperty("title").GetString());
            Assert.Equal("There is no store 'nowhere' in 'acme'.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public void Every_route_under_the_store_prefix_has_its_store_resolved_by_the_scope()
    {
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(StoreScope.Prefix + "/", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(routes, e => e.RoutePattern.RawText == StoreScope.Prefix + "/quarantine/");
        Assert.Contains(routes, e => e.RoutePattern.RawText == StoreScope.Prefix + "/webhook-secret/rotate");
        Assert.All(routes, e => Assert.True(e.Metadata.GetMetadata<StoreScope.StoreResolved>() is not null,
            $"{e.RoutePattern.RawText} looks its store up itself instead of through the store scope"));
    }

    [Theory]
    [InlineData("POST", "/quarantine/q-1/retry")]
    [InlineData("POST", "/quarantine/q-1/discard")]
    [InlineData("POST", "/webhook-secret/rotate")]
    public async Task Store_scoped_changes_answer_an_unknown_store_with_the_same_404_problem(string method, string rest)
    {
        var client = app.CreateSignedInClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/tenants/acme/stores/nowhere" + rest), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("Unknown store", "There is no store 'nowhere' in 'acme'."), (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_known_store_is_resolved_for_the_handler()
    {
        var client = app.CreateSignedInClient();

        var summary = await client.GetFromJsonAsync<JsonElement>("/api/tenants/acme/stores/us-shop/history/summary?period=today", Ct);

        Assert.Equal("us-shop", summary.GetProperty("storeId").GetString());
        Assert.Equal("USD", summary.GetProperty("currency").GetString());
        Assert.Equal("America/New_York", summary.GetProperty("timeZone").GetString());
    }

    [Theory]
    [InlineData("/api/history/acme/uk-shop/summary?period=today&compare=none", "/api/tenants/acme/stores/uk-shop/history/summary?period=today&compare=none")]
    [InlineData("/api/history/acme/uk-shop/trend?grain=hour", "/api/tenants/acme/stores/uk-shop/history/trend?grain=hour")]
    [InlineData("/api/history/acme/uk-shop/breakdown?by=product", "/api/tenants/acme/stores/uk-shop/history/breakdown?by=product")]
    [InlineData("/api/history/acme/breakdown?by=store", "/api/tenants/acme/history/breakdown?by=store")]
    [InlineData("/api/history/acme/uk-shop/orders/recent?limit=5", "/api/tenants/acme/stores/uk-shop/orders/recent?limit=5")]
    [InlineData("/api/stores/acme/uk-shop/tiles", "/api/tenants/acme/stores/uk-shop/tiles")]
    [InlineData("/api/stores/acme/uk-shop/forecast", "/api/tenants/acme/stores/uk-shop/forecast")]
    [InlineData("/api/stores/acme/uk-shop/insights", "/api/tenants/acme/stores/uk-shop/insights")]
    [InlineData("/api/insights/acme/channels?period=last7", "/api/tenants/acme/insights/channels?period=last7")]
    public async Task An_old_address_moves_permanently_to_the_store_scoped_one_with_its_query(string old, string moved)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(old, Ct);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(moved, response.Headers.Location?.OriginalString);
    }
}
