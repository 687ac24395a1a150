using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.History;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;
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
    public async Task Organisation_without_a_stored_plan_is_on_its_configured_tier_and_sees_its_usage()
    {
        await app.AddStoreAsync("configured-starter", "shop", Ct);
        var client = app.ClientAs();
        using (var created = await client.PostAsJsonAsync("/api/tenants/configured-starter/dashboards", Board("One"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var plan = await client.GetFromJsonAsync<PlanView>("/api/tenants/configured-starter/plan", Json, Ct);

        Assert.Equal(("Starter", "configured"), (plan!.Tier, plan.Source));
        Assert.Equal(new PlanLimitsView("Starter", 1, 2, 3, "30 days", false, false), plan.Limits);
        Assert.Equal(new PlanUsageCounts(Stores: 1, Channels: 0, Dashboards: 1), plan.Usage);
        Assert.Equal(["Starter", "Growth", "Scale", "Enterprise"], plan.Tiers.Select(t => t.Tier));
    }

    [Fact]
    public async Task Owner_moves_to_growth_and_the_plan_and_its_limits_follow()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientAs("owner-7", "owner7@example.com");

        using var put = await client.PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Growth"), Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var plan = (await put.Content.ReadFromJsonAsync<PlanView>(Json, Ct))!;
        Assert.Equal(("Growth", "stored", 10, "1 year", "owner7@example.com"), (plan.Tier, plan.Source, plan.Limits.MaxDashboards, plan.Limits.HistoryRetention, plan.UpdatedBy));
        Assert.Equal(PlanTier.Growth, (await app.Services.GetRequiredService<IPlanService>().GetLimitsAsync(tenant, Ct)).Tier);
    }

    [Fact]
    public async Task Unknown_tier_is_refused_naming_the_tiers()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);

        using var put = await app.ClientAs().PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Platinum"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var problem = await put.ProblemAsync(Ct);
        Assert.Equal("Tier must be one of Starter, Growth, Scale, Enterprise.", problem["errors"].GetProperty("tier")[0].GetString());
    }

    [Fact]
    public async Task Fourth_dashboard_on_starter_is_refused_naming_limit_usage_and_the_tier_that_allows_more()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientAs();
        for (var i = 1; i <= 3; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"Board {i}"), Ct);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Board 4"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.ProblemAsync(Ct);
        Assert.Equal("Plan limit reached", problem["title"].GetString());
        Assert.Equal("The Starter plan allows 3 dashboards; this organisation has 3. The Growth plan allows 10.", problem["detail"].GetString());
        Assert.Equal(("dashboards", 3, 3, "Starter", "Growth"),
            (problem["limit"].GetString(), problem["usage"].GetInt32(), problem["allowed"].GetInt32(), problem["tier"].GetString(), problem["upgradeTo"].GetString()));
        Assert.Equal(3, (await client.GetFromJsonAsync<DashboardSummary[]>($"/api/tenants/{tenant}/dashboards", Json, Ct))!.Length);
    }

    [Fact]
    public async Task Duplicating_at_the_dashboard_limit_is_refused_and_allowed_again_after_upgrading()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var client = app.ClientAs();
        string? first = null;
        for (var i = 1; i <= 3; i++)
        {
            using var ok = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"Board {i}"), Ct);
            first ??= (await ok.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
        }

        using (var refused = await client.PostAsync($"/api/tenants/{tenant}/dashboards/{first}/duplicate", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.StartsWith("The Starter plan allows 3 dashboards", (await refused.ProblemAsync(Ct))["detail"].GetString(), StringComparison.Ordinal);
        }

        using (var upgrade = await client.PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Growth"), Ct))
        {
            upgrade.EnsureSuccessStatusCode();
        }

        using var copied = await client.PostAsync($"/api/tenants/{tenant}/dashboards/{first}/duplicate", null, Ct);
        Assert.Equal(HttpStatusCode.Created, copied.StatusCode);
    }

    [Fact]
    public async Task Third_channel_connection_on_starter_is_refused_but_editing_a_connected_one_is_not()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        await app.AddStoreAsync(tenant, "second", Ct);
        var client = app.ClientAs();
        (await client.PutAsJsonAsync($"/api/channels/{tenant}/shop/woocommerce", Webhook(), Ct)).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/api/channels/{tenant}/second/stripe", Webhook(), Ct)).EnsureSuccessStatusCode();

        using var refused = await client.PutAsJsonAsync($"/api/channels/{tenant}/shop/stripe", Webhook(), Ct);
        using var edit = await client.PutAsJsonAsync($"/api/channels/{tenant}/shop/woocommerce", Webhook() with { Enabled = false }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("The Starter plan allows 2 channel connections; this organisation has 2. The Growth plan allows 5.",
            (await refused.ProblemAsync(Ct))["detail"].GetString());
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
    }

    [Fact]
    public async Task Downgrade_below_what_is_in_use_is_refused_saying_what_is_over()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var client = app.ClientAs();
        for (var i = 1; i <= 4; i++)
        {
            (await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board($"Board {i}"), Ct)).EnsureSuccessStatusCode();
        }

        using var put = await client.PutAsJsonAsync($"/api/tenants/{tenant}/plan", new PlanChange("Starter"), Ct);

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("The Starter plan is too small for this organisation: it has 4 dashboards (allows 3). Remove the extra ones first.",
            (await put.ProblemAsync(Ct))["detail"].GetString());
        Assert.Equal("Growth", (await client.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!.Tier);
    }

    [Fact]
    public async Task History_retention_follows_the_plan_and_the_retention_job_trims_a_starter_org_to_30_days()
    {
        var starter = await app.NewOrganisationAsync(PlanTier.Starter, Ct);
        var scale = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        var policy = app.Services.GetRequiredService<IHistoryRetentionPolicy>();

        Assert.Equal(RetentionPlan.Days30, await policy.RetentionForAsync(starter, Ct));
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(scale, Ct));

        var trimmed = await app.Services.GetRequiredService<HistoryRetentionJob>().RunOnceAsync(Ct);
        Assert.Equal(app.Clock.GetUtcNow().AddDays(-30), trimmed[starter]);
        Assert.False(trimmed.ContainsKey(scale));

        (await app.ClientAs().PutAsJsonAsync($"/api/tenants/{starter}/plan", new PlanChange("Growth"), Ct)).EnsureSuccessStatusCode();
        Assert.Equal(RetentionPlan.Year1, await policy.RetentionForAsync(starter, Ct));
    }
}
