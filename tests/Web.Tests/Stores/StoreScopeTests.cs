using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Identity;
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

    /// <summary>
    /// A read takes no body, so no GET endpoint may require one: routing skips an endpoint whose accepted content types a
    /// body-less request does not match, and the read then falls through to the 404 of the unknown-path fallback. The
    /// compile-time request delegate generator declares a JSON body for any [AsParameters] member it cannot tell is a
    /// service, which is how the store's history reads once went missing.
    /// </summary>
    [Fact]
    public void No_read_requires_a_request_body()
    {
        var bodied = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods && methods.All(m => m is "GET" or "HEAD"))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is { IsOptional: false })
            .Select(e => e.RoutePattern.RawText!)
            .ToList();

        Assert.Empty(bodied);
    }

    [Fact]
    public async Task Every_store_scoped_read_answers_an_unknown_store_with_the_same_404_problem()
    {
        var routes = StoreScopedGets();
        string[] expected = ["/tiles", "/history/summary", "/history/trend", "/history/breakdown", "/orders/recent", "/forecast", "/insights",
            "/channels/", "/channels/{channel}", "/channels/{channel}/status", "/shipments"];
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
    [InlineData("PUT", "/channels/stripe")]
    [InlineData("DELETE", "/channels/stripe")]
    [InlineData("POST", "/channels/amazon/sync")]
    [InlineData("POST", "/imports")]
    [InlineData("POST", "/imports/preview")]
    public async Task Store_scoped_changes_answer_an_unknown_store_with_the_same_404_problem(string method, string rest)
    {
        var client = app.CreateSignedInClient();

        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/tenants/acme/stores/nowhere" + rest)
        {
            Content = method == "PUT" ? JsonContent.Create(new { enabled = true, credentials = new { webhookSecret = "s" } }) : null,
        };
        using var response = await client.SendAsync(request, Ct);

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
    [InlineData("/api/channels/acme/uk-shop", "/api/tenants/acme/stores/uk-shop/channels")]
    [InlineData("/api/channels/acme/uk-shop/shipments?period=last7", "/api/tenants/acme/stores/uk-shop/shipments?period=last7")]
    [InlineData("/api/channels/acme/uk-shop/amazon", "/api/tenants/acme/stores/uk-shop/channels/amazon")]
    [InlineData("/api/channels/acme/uk-shop/amazon/status", "/api/tenants/acme/stores/uk-shop/channels/amazon/status")]
    public async Task An_old_address_moves_permanently_to_the_store_scoped_one_with_its_query(string old, string moved)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(old, Ct);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(moved, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("PUT", "/api/channels/acme/uk-shop/shipping", "/api/tenants/acme/stores/uk-shop/channels/shipping")]
    [InlineData("DELETE", "/api/channels/acme/uk-shop/shipping", "/api/tenants/acme/stores/uk-shop/channels/shipping")]
    [InlineData("POST", "/api/channels/acme/uk-shop/amazon/sync", "/api/tenants/acme/stores/uk-shop/channels/amazon/sync")]
    [InlineData("POST", "/api/imports/acme/uk-shop/preview", "/api/tenants/acme/stores/uk-shop/imports/preview")]
    [InlineData("POST", "/api/history/acme/uk-shop/summary", "/api/tenants/acme/stores/uk-shop/history/summary")]
    public async Task A_change_sent_to_an_old_address_moves_with_308_not_a_get_redirect(string method, string old, string moved)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), old), Ct);

        // 301/302 would let a client turn the PUT, POST or DELETE into a GET; 308 keeps the method and the body.
        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(moved, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_script_on_the_old_addresses_still_connects_previews_and_disconnects_through_the_redirects()
    {
        // Follows redirects as HttpClient does by default; the sign-in cookie goes with each hop.
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true });
        using (var signIn = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = await app.CreateMemberAsync(OrgRole.Owner), password = TestUsers.Password }, Ct))
        {
            signIn.EnsureSuccessStatusCode();
        }

        const string current = "/api/tenants/acme/stores/uk-shop/channels/shipping";
        using var put = await client.PutAsJsonAsync("/api/channels/acme/uk-shop/shipping",
            new { enabled = true, credentials = new { webhookSecret = "moved-secret-0123456789" }, pollIntervalSeconds = 900 }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = await client.GetFromJsonAsync<JsonElement>(current, Ct);
        Assert.Equal(900, saved.GetProperty("pollIntervalSeconds").GetInt32());
        Assert.Equal(["webhookSecret"], saved.GetProperty("credentialsSet").EnumerateArray().Select(e => e.GetString()));

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("Date,Order,Total\n2026-11-20,#9001,12.50\n2026-11-21,#9002,7.25\n"u8.ToArray()), "file", "orders.csv" },
            { new StringContent("generic"), "format" },
        };
        using var preview = await client.PostAsync("/api/imports/acme/uk-shop/preview", form, Ct);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var read = await preview.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["Date", "Order", "Total"], read.GetProperty("header").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, read.GetProperty("sampleRows").GetInt32());

        using var deleted = await client.DeleteAsync("/api/channels/acme/uk-shop/shipping", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync(current, Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
