using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Every server endpoint states who may call it, so a new endpoint cannot ship open by forgetting.</summary>
public sealed class EndpointRoleCoverageTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static readonly string[] ServerPrefixes = ["/api", "/webhooks", "/hubs", "/openapi"];

    [Fact]
    public void Every_api_webhook_and_hub_endpoint_declares_an_organisation_role_or_allows_anonymous()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => ServerPrefixes.Any(p => ("/" + e.RoutePattern.RawText?.TrimStart('/')).StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .ToList();

        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<OrgRoleRequirement>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.True(endpoints.Count > 60, $"only {endpoints.Count} endpoints found; the data source is not the app's");
        Assert.True(undeclared.Count == 0, "Endpoints without RequireOrgRole(...) or AllowAnonymous():\n" + string.Join("\n", undeclared));
    }

    [Fact]
    public void Tenant_routes_that_change_things_need_more_than_viewer()
    {
        var mutations = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Any(p => p.Name == "tenantId") && e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT" or "DELETE" or "PATCH") == true)
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => e.Metadata.GetMetadata<OrgRoleRequirement>()?.Minimum == OrgRole.Viewer)
            .Select(e => e.RoutePattern.RawText)
            .ToList();

        Assert.True(mutations.Count == 0, "Changes a Viewer may make:\n" + string.Join("\n", mutations));
    }
}
