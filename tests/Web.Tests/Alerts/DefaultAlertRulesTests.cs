using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Alerts;
using SalesDash.Web.Plans;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.Plans;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>A new store starts with alerts: no orders in trading hours, and anomalies on orders where the plan has them; trading hours are editable.</summary>
public sealed class DefaultAlertRulesTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task CreateStoreAsync(HttpClient owner, string tenant, string storeId)
    {
        using var created = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/stores",
            new StoreCreateRequest(storeId, "Berlin shop", "Shopify", $"{tenant}-{storeId}.myshopify.com", "EUR", "Europe/Berlin", "whsec-0123456789"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Creating_a_store_creates_a_trading_hours_no_orders_rule_and_an_anomaly_rule_on_orders()
    {
        var scale = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        using var owner = app.ClientFor(scale);
        await CreateStoreAsync(owner, scale, "berlin");

        var rules = (await owner.GetFromJsonAsync<AlertRuleView[]>($"/api/tenants/{scale}/alert-rules", Json, Ct))!;
        var noOrders = Assert.Single(rules, r => r.Kind == "NoOrders");
        Assert.Equal((DefaultAlertRules.NoOrdersName, "berlin", 30, true, true), (noOrders.Name, noOrders.StoreId, noOrders.WindowMinutes, noOrders.DuringTradingHours, noOrders.Enabled));
        var anomaly = Assert.Single(rules, r => r.Kind == "Anomaly");
        Assert.Equal(("Orders", "berlin", true, null), (anomaly.Metric, anomaly.StoreId, anomaly.Enabled, anomaly.PausedReason));

        // Trading hours start at 08:00-22:00 in the store's zone and can be changed.
        var hours = await owner.GetFromJsonAsync<TradingHoursView>($"/api/tenants/{scale}/stores/berlin/trading-hours", Json, Ct);
        Assert.Equal(new TradingHoursView("08:00", "22:00", "Europe/Berlin"), hours);
        using var put = await owner.PutAsJsonAsync($"/api/tenants/{scale}/stores/berlin/trading-hours", new TradingHoursRequest("10:00", "02:00"), Json, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(new TradingHoursView("10:00", "02:00", "Europe/Berlin"), await owner.GetFromJsonAsync<TradingHoursView>($"/api/tenants/{scale}/stores/berlin/trading-hours", Json, Ct));
        using var bad = await owner.PutAsJsonAsync($"/api/tenants/{scale}/stores/berlin/trading-hours", new TradingHoursRequest("10:00", "25:00"), Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("closes", out _));
    }

    [Fact]
    public async Task On_a_plan_without_anomaly_detection_the_anomaly_rule_is_created_switched_off_and_says_which_plan_it_needs()
    {
        var growth = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        using var owner = app.ClientFor(growth);
        await CreateStoreAsync(owner, growth, "berlin");

        var rules = (await owner.GetFromJsonAsync<AlertRuleView[]>($"/api/tenants/{growth}/alert-rules", Json, Ct))!;
        Assert.True(Assert.Single(rules, r => r.Kind == "NoOrders").Enabled);
        var anomaly = Assert.Single(rules, r => r.Kind == "Anomaly");
        Assert.False(anomaly.Enabled);
        Assert.Contains("The Scale plan includes it", anomaly.PausedReason);
    }
}
