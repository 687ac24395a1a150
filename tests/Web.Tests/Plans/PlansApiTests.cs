using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.History;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>An organisation's plan through the API, and the limits it puts on dashboards, channels and history.</summary>
public sealed class PlansApiTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput Board(string name) => new(
        name, [new LayoutItem("revenue", 0, 0, 4, 3)], [new Widget("revenue", "kpi", null, new WidgetSettings("gross-revenue", "today", "none"))]);

    private static ChannelConnectionRequest Webhook() => new(true, null, new() { ["webhookSecret"] = "whsec-0123456789" }, null);

    [Fact]
    public async Task Tiers_are_exactly_as_sold()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);

        var plan = await app.ClientFor(tenant).GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct);

        Assert.Equal(
            [
                "Free: 1 channel, $10000/month, 1 dashboards, 7 days, []",
                "Starter: 1 channel, $100000/month, 5 dashboards, 30 days, []",
                "Growth: 3 channel, $500000/month, ∞ dashboards, 1 year, [CustomAlerts]",
                "Scale: ∞ channel, $∞/month, ∞ dashboards, unlimited, [CustomAlerts, AdvancedAnalytics, ApiAccess, WhiteLabel]",
                "Enterprise: ∞ channel, $∞/month, ∞ dashboards, unlimited, [CustomAlerts, AdvancedAnalytics, ApiAccess, WhiteLabel, DataWarehouse, SsoReady, Sla]",
            ],
            plan!.Tiers.Select(t => $"{t.Tier}: {N(t.MaxSalesChannels)} channel, ${N(t.MaxMonthlyRevenueUsd)}/month, {N(t.MaxDashboards)} dashboards, "
                + $"{t.HistoryRetention}, [{string.Join(", ", t.Features)}]"));
        Assert.Equal(("Starter", "Assigned"), (plan.Tier, plan.Source));
    }

    private static string N<T>(T? value)
        where T : struct => value is { } v ? string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0:0}", v) : "∞";

    [Fact]
    public async Task Organisation_pinned_in_configuration_is_on_that_tier_and_sees_its_usage()
    {
        await app.AddStoreAsync("configured-starter", "shop", Ct);
        var client = app.ClientFor("configured-starter");
        using (var created = await client.PostAsJsonAsync("/api/tenants/configured-starter/dashboards", Board("One"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var plan = await client.GetFromJsonAsync<PlanView>("/api/tenants/configured-starter/plan", Json, Ct);

        Assert.Equal(("Starter", "Configured"), (plan!.Tier, plan.Source));
        Assert.Equal(new PlanUsageCounts(SalesChannels: 1, Dashboards: 1), plan.Usage);
    }

    [Fact]
    public async Task Owner_cannot_set_a_paid_tier_directly()
    {
        var (owner, tenant, _) = await app.SignUpAsync(Ct);

        using var put = await owner.PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Scale"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        var problem = await put.ProblemAsync(Ct);
        Assert.Equal(PlansApi.BillingProblemType, problem["type"].GetString());
        Assert.Contains($"POST /api/tenants/{tenant}/plan/checkout", problem["detail"].GetString(), StringComparison.Ordinal);
        Assert.Equal(PlanTier.Growth, (await app.Services.GetRequiredService<IPlanService>().GetLimitsAsync(tenant, Ct)).Tier);
        Assert.Equal("Trial", (await owner.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!.Source);
    }

    [Fact]
    public async Task Sixth_dashboard_on_starter_is_refused_naming_limit_usage_and_the_tier_that_allows_more()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientFor(tenant);
        for (var i = 1; i <= 5; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"Board {i}"), Ct);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Board 6"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.ProblemAsync(Ct);
        Assert.Equal("Plan limit reached", problem["title"].GetString());
        Assert.Equal("The Starter plan allows 5 dashboards; this organisation has 5. The Growth plan allows unlimited.", problem["detail"].GetString());
        Assert.Equal(("dashboards", 5, 5, "Starter", "Growth"),
            (problem["limit"].GetString(), problem["usage"].GetInt32(), problem["allowed"].GetInt32(), problem["tier"].GetString(), problem["upgradeTo"].GetString()));
        Assert.Equal(5, (await client.GetFromJsonAsync<DashboardSummary[]>($"/api/tenants/{tenant}/dashboards", Json, Ct))!.Length);
    }

    [Fact]
    public async Task Second_dashboard_on_free_is_refused_naming_starter()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Free, Ct);
        var client = app.ClientFor(tenant);
        string? first;
        using (var ok = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Only"), Ct))
        {
            first = (await ok.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
        }

        using var refused = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Second"), Ct);
        using var copy = await client.PostAsync($"/api/tenants/{tenant}/dashboards/{first}/duplicate", null, Ct);

        Assert.Equal("The Free plan allows 1 dashboard; this organisation has 1. The Starter plan allows 5.", (await refused.ProblemAsync(Ct))["detail"].GetString());
        Assert.Equal(HttpStatusCode.Forbidden, copy.StatusCode);
    }

    [Fact]
    public async Task A_second_sales_channel_on_starter_is_refused_but_a_shipping_source_is_not_counted()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientFor(tenant);
        using var refused = await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/woocommerce", Webhook(), Ct);
        using var shipping = await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/shipping", Webhook(), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("The Starter plan allows 1 sales channel; this organisation has 1. The Growth plan allows 3.",
            (await refused.ProblemAsync(Ct))["detail"].GetString());
        Assert.Equal(HttpStatusCode.OK, shipping.StatusCode);
        Assert.Equal(new PlanUsageCounts(SalesChannels: 1, Dashboards: 0), (await client.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!.Usage);
    }

    [Fact]
    public async Task Growth_connects_three_sales_channels_and_editing_one_is_never_refused()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var client = app.ClientFor(tenant);
        (await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/woocommerce", Webhook(), Ct)).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/stripe", Webhook(), Ct)).EnsureSuccessStatusCode();

        using var fourth = await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/paypal",
            new ChannelConnectionRequest(true, new() { ["webhookId"] = "WH-0123456789" }, [], null), Ct);
        using var edit = await client.PutAsJsonAsync($"/api/tenants/{tenant}/stores/shop/channels/woocommerce", Webhook() with { Enabled = false }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, fourth.StatusCode);
        Assert.Equal("The Growth plan allows 3 sales channels; this organisation has 3. The Scale plan allows unlimited.",
            (await fourth.ProblemAsync(Ct))["detail"].GetString());
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
    }

    [Fact]
    public async Task Custom_alerts_need_growth_and_advanced_analytics_need_scale()
    {
        var starter = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var growth = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var rule = new { name = "Slow day", kind = "Threshold", metric = "gross-revenue", comparison = "Below", threshold = 100, windowMinutes = 60 };

        using var starterRule = await app.ClientFor(starter).PostAsJsonAsync($"/api/tenants/{starter}/alert-rules", rule, Ct);
        using var growthRule = await app.ClientFor(growth).PostAsJsonAsync($"/api/tenants/{growth}/alert-rules", rule, Ct);
        using var forecast = await app.ClientFor(growth).GetAsync($"/api/tenants/{growth}/stores/shop/forecast", Ct);
        using var attribution = await app.ClientFor(growth).GetAsync($"/api/tenants/{growth}/insights/channels", Ct);

        var refused = await starterRule.ProblemAsync(Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "The Starter plan does not include custom alerts. The Growth plan includes it.", "Growth"),
            (starterRule.StatusCode, refused["detail"].GetString(), refused["upgradeTo"].GetString()));
        Assert.NotEqual(HttpStatusCode.Forbidden, growthRule.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, "Scale"), (forecast.StatusCode, (await forecast.ProblemAsync(Ct))["upgradeTo"].GetString()));
        Assert.Equal((HttpStatusCode.Forbidden, "Scale"), (attribution.StatusCode, (await attribution.ProblemAsync(Ct))["upgradeTo"].GetString()));
    }

    [Fact]
    public async Task History_retention_follows_the_plan_and_the_retention_job_trims_a_starter_org_to_30_days()
    {
        var starter = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var scale = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        _ = await app.MemberAsync(starter);
        var policy = app.Services.GetRequiredService<IHistoryRetentionPolicy>();

        // Nothing is deleted because of the plan before its owner was warned, and not until a week after.
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(starter, Ct));
        Assert.Contains($"{starter}:retention-Days30", await app.Services.GetRequiredService<PlanNoticeJob>().RunOnceAsync(Ct));
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(starter, Ct));
        app.Clock.Advance(TimeSpan.FromDays(7));

        Assert.Equal(RetentionPlan.Days30, await policy.RetentionForAsync(starter, Ct));
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(scale, Ct));

        var trimmed = await app.Services.GetRequiredService<HistoryRetentionJob>().RunOnceAsync(Ct);
        Assert.Equal(app.Clock.GetUtcNow().AddDays(-30), trimmed[starter]);
        Assert.False(trimmed.ContainsKey(scale));

        var free = await app.NewOrganisationAsync(PlanTier.Free, Ct);
        Assert.Equal(RetentionPlan.Days7, PlanCatalog.For(PlanTier.Free).HistoryRetention);
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(free, Ct));
    }
}
