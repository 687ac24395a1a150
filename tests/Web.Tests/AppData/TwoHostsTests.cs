using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Stores;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.AppData;

/// <summary>Two app hosts (two pods) on one PostgreSQL app database see one set of stores and dashboards.</summary>
public sealed class TwoHostsTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_created_on_one_host_takes_webhooks_on_the_other_and_a_dashboard_saved_on_either_opens_on_both()
    {
        await using var database = await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct, migrate: false);
        await using var a = new IdentityAppFactory(database.Settings);
        await using var b = new IdentityAppFactory(database.Settings);
        var email = await a.CreateMemberAsync(OrgRole.Owner, "acme");
        var atA = a.CreateClientSignedInAs(email);
        var atB = b.CreateClientSignedInAs(email);
        var store = new TestStore("acme", "eu-shop", "acme-eu.myshopify.com", "EUR", "Europe/Berlin", "acme-eu-secret-0123456789");
        var order = new TestOrder(9001, WebAppFactory.Now.AddMinutes(-5), WebAppFactory.Now.AddMinutes(-5), 25m, 1, null, 0);

        // Unknown to both before it exists: the webhook's shop domain belongs to no store.
        using (var before = await b.CreateClient().SendAsync(ShopifyPayloads.Webhook(store, "orders/create", order.ToJson("EUR")), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        using (var created = await atA.PostAsJsonAsync("/api/tenants/acme/stores",
            new StoreCreateRequest(store.StoreId, "Acme EU", "Shopify", store.ShopDomain, store.Currency, store.TimeZone, store.WebhookSecret), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var after = await b.CreateClient().SendAsync(ShopifyPayloads.Webhook(store, "orders/create", order.ToJson("EUR")), Ct))
        {
            Assert.True(after.IsSuccessStatusCode, $"Host B answered {after.StatusCode}: {await after.Content.ReadAsStringAsync(Ct)}");
        }

        var storesAtB = await atB.GetFromJsonAsync<List<StoreSummary>>("/api/stores", Json, Ct);
        Assert.Contains(storesAtB!, s => s.TenantId == "acme" && s.StoreId == "eu-shop");

        var board = new DashboardInput("Shared board", [new LayoutItem("revenue", 0, 0, 4, 3)],
            [new Widget("revenue", "kpi", "Revenue", new WidgetSettings("gross-revenue", "today", "none"))]);
        using var saved = await atB.PostAsJsonAsync("/api/tenants/acme/dashboards", board, Ct);
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var id = (await saved.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;

        var loadedAtA = await atA.GetFromJsonAsync<Dashboard>($"/api/tenants/acme/dashboards/{id}", Json, Ct);
        Assert.Equal(("Shared board", "Revenue"), (loadedAtA!.Name, loadedAtA.Widgets.Single().Title));

        using var renamed = await atA.PutAsJsonAsync($"/api/tenants/acme/dashboards/{id}", board with { Name = "Renamed on A" }, Ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Renamed on A", (await atB.GetFromJsonAsync<Dashboard>($"/api/tenants/acme/dashboards/{id}", Json, Ct))!.Name);
    }
}
