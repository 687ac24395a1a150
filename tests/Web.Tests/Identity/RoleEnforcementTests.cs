using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Each role against each class of endpoint, over HTTP and over the hub.</summary>
public sealed class RoleEnforcementTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Dashboard(string name) => new
    {
        name,
        layout = new[] { new { i = "revenue", x = 0, y = 0, w = 4, h = 3 } },
        widgets = new[] { new { id = "revenue", kind = "kpi", title = "Revenue", settings = new { metric = "gross-revenue", period = "today", comparison = "last-week" } } },
    };

    private static object AlertRule(string name) => new { name, kind = "noorders", windowMinutes = 45, frequencyMinutes = 120, storeId = "uk-shop" };

    private static object Amazon() => new
    {
        enabled = true,
        settings = new Dictionary<string, string> { ["marketplaceIds"] = "A1F83G8C2ARO7P", ["region"] = "eu" },
        credentials = new Dictionary<string, string> { ["clientId"] = "amzn1.application-oa2-client.abc", ["clientSecret"] = "s3cret", ["refreshToken"] = "Atzr|token" },
        pollIntervalSeconds = 600,
    };

    private static async Task<(HttpStatusCode Status, string? Detail, string? ContentType)> Answer(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        string? detail = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            detail = JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }

        return (response.StatusCode, detail, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_viewer_reads_but_cannot_create_alert_rules_or_dashboards()
    {
        var viewer = app.CreateSignedInClient(OrgRole.Viewer, "acme");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tenants/acme/dashboards", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tenants/acme/stores/uk-shop/tiles", Ct)).StatusCode);

        var rule = await Answer(await viewer.PostAsJsonAsync("/api/tenants/acme/alert-rules", AlertRule("Checkout broken"), Ct));
        var board = await Answer(await viewer.PostAsJsonAsync("/api/tenants/acme/dashboards", Dashboard("Mine"), Ct));

        Assert.Equal((HttpStatusCode.Forbidden, "application/problem+json"), (rule.Status, rule.ContentType));
        Assert.Equal("This needs the Admin role or higher in 'acme'; you are Viewer.", rule.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, board.Status);
        Assert.Equal("This needs the Analyst role or higher in 'acme'; you are Viewer.", board.Detail);
    }

    [Fact]
    public async Task An_analyst_builds_dashboards_but_cannot_connect_channels_or_create_alert_rules()
    {
        var analyst = app.CreateSignedInClient(OrgRole.Analyst, "acme");

        Assert.Equal(HttpStatusCode.Created, (await analyst.PostAsJsonAsync("/api/tenants/acme/dashboards", Dashboard("Analyst board"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PutAsJsonAsync("/api/tenants/acme/stores/uk-shop/channels/amazon", Amazon(), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsJsonAsync("/api/tenants/acme/alert-rules", AlertRule("x"), Ct)).StatusCode);
    }

    [Fact]
    public async Task An_admin_manages_channels_and_alert_rules()
    {
        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/amazon", Amazon(), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/tenants/acme/alert-rules", AlertRule("Admin rule"), Ct)).StatusCode);
    }

    [Fact]
    public async Task An_analyst_of_one_organisation_gets_404_for_another_organisations_store_over_http()
    {
        var analyst = app.CreateSignedInClient(OrgRole.Analyst, "acme");

        foreach (var url in new[] { "/api/tenants/globex/stores/shop/tiles", "/api/tenants/globex/stores/shop/history/summary?period=today", "/api/tenants/globex/dashboards",
                     "/api/tenants/globex/stores/shop/channels", "/api/tenants/globex" })
        {
            var answer = await Answer(await analyst.GetAsync(url, Ct));
            Assert.Equal((HttpStatusCode.NotFound, "There is no organisation 'globex'."), (answer.Status, answer.Detail));
        }

        // The same answer as for an organisation that does not exist at all: nothing tells the two apart.
        var unknown = await Answer(await analyst.GetAsync("/api/tenants/no-such-org/stores/shop/tiles", Ct));
        Assert.Equal((HttpStatusCode.NotFound, "There is no organisation 'no-such-org'."), (unknown.Status, unknown.Detail));
    }

    [Fact]
    public async Task An_analyst_of_one_organisation_cannot_watch_another_organisations_store_over_the_hub()
    {
        await using var hub = app.CreateSignedInHubConnection(OrgRole.Analyst, "acme");
        await hub.StartAsync(Ct);

        var own = await hub.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct);
        Assert.Equal(("acme", "uk-shop"), (own.TenantId, own.StoreId));

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<DashboardTiles>("Subscribe", "globex", "shop", Ct));
        Assert.Contains("There is no store 'shop' in 'globex'.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_sign_in_the_hub_refuses_subscribe()
    {
        await using var hub = app.CreateAnonymousHubConnection();
        await hub.StartAsync(Ct);

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<DashboardTiles>("Subscribe", "acme", "uk-shop", Ct));
        Assert.Contains("Sign-in required", refused.Message, StringComparison.Ordinal);
    }
}
