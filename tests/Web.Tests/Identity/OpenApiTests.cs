using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.OpenApi;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>The OpenAPI document and its browsable UI.</summary>
public sealed class OpenApiTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_document_lists_the_api_with_the_api_key_scheme()
    {
        using var response = await app.CreateClient().GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/stores", paths);
        Assert.Contains("/api/tenants/{tenantId}/stores/{storeId}/tiles", paths);
        Assert.Contains("/api/tenants/{tenantId}/dashboards", paths);
        Assert.Contains("/api/tenants/{tenantId}/api-keys", paths);
        Assert.Contains("/api/tenants/{tenantId}/stores/{storeId}/history/summary", paths);
        Assert.True(document.GetProperty("paths").GetProperty("/api/tenants/{tenantId}/dashboards").TryGetProperty("post", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("ApiKey", out _));
    }

    [Fact]
    public async Task The_docs_page_is_swagger_ui_on_that_document()
    {
        var client = app.CreateClient();

        using var docs = await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/api/docs", Ct);
        Assert.Equal(HttpStatusCode.Redirect, docs.StatusCode);
        Assert.Equal("/api/docs/index.html?url=/openapi/v1.json", docs.Headers.Location?.OriginalString);

        var html = await client.GetStringAsync("/api/docs/index.html?url=/openapi/v1.json", Ct);
        Assert.Contains("swagger-ui-bundle.js", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_document_is_generated_once_from_start_and_the_first_readers_share_that_generation()
    {
        await using var host = new SalesDashHost(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["OpenApi:AtStart"] = "true" } });
        var cache = host.Services.GetRequiredService<OpenApiDocumentCache>();

        // Begun by the hosted service when the host started, before any request asked for it.
        Assert.True(cache.Started);
        var clients = Enumerable.Range(0, 4).Select(_ => host.CreateClient()).ToList();
        var responses = await Task.WhenAll(clients.Select(c => c.GetAsync(OpenApiHosting.DocumentPath, Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync(Ct)));
        Assert.Single(bodies.Distinct(StringComparer.Ordinal));
        Assert.Contains("/api/tenants/{tenantId}/stores/{storeId}/channels/{channel}", bodies[0], StringComparison.Ordinal);
        Assert.Single(responses.Select(r => r.Headers.ETag?.Tag).Distinct());
        Assert.Equal(1, cache.Generations);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_reader_that_holds_the_document_is_answered_304_by_its_etag_and_nothing_is_generated_again()
    {
        var client = app.CreateClient();

        using var first = await client.GetAsync(OpenApiHosting.DocumentPath, Ct);
        var etag = first.Headers.ETag;
        using var again = new HttpRequestMessage(HttpMethod.Get, OpenApiHosting.DocumentPath);
        again.Headers.IfNoneMatch.Add(etag!);
        using var unchanged = await client.SendAsync(again, Ct);
        using var stale = new HttpRequestMessage(HttpMethod.Get, OpenApiHosting.DocumentPath);
        stale.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"an-older-document\""));
        using var changed = await client.SendAsync(stale, Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await changed.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, app.Services.GetRequiredService<OpenApiDocumentCache>().Generations);
    }
}
