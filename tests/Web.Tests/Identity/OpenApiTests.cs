using System.Net;
using System.Text.Json;
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
}
