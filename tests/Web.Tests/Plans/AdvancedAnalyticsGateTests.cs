using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// A forecast is advanced analytics wherever it is read: the store API, a shared wallboard and a widget's export all
/// answer the plan-limit problem below Scale and the forecast on Scale.
/// </summary>
public sealed class AdvancedAnalyticsGateTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Forecast_on_a_wallboard_and_in_a_widget_export_needs_scale()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        using var owner = app.ClientFor(tenant);
        var input = new DashboardInput("Pace", [new LayoutItem("pace", 0, 0, 6, 4)],
            [new Widget("pace", "forecast", null, new WidgetSettings("gross-revenue", "today", "none"))]);
        using var created = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", input, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var dashboard = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;
        using var shared = await owner.PostAsync($"/api/tenants/{tenant}/dashboards/{dashboard.Id}/share", null, Ct);
        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        var link = (await shared.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!;
        var wall = $"/api/wall/{link.Token}/stores/{tenant}/shop/forecast";
        var export = $"/api/tenants/{tenant}/exports/dashboards/{dashboard.Id}/widgets/pace?format=csv";
        using var anonymous = app.CreateClient();

        foreach (var refused in new[] { await anonymous.GetAsync(wall, Ct), await owner.GetAsync(export, Ct) })
        {
            using (refused)
            {
                var problem = await refused.ProblemAsync(Ct);
                Assert.Equal((HttpStatusCode.Forbidden, PlanLimitProblems.Type, "The Growth plan does not include advanced analytics (anomalies, forecasts, attribution, benchmarks). The Scale plan includes it.", "Scale"),
                    (refused.StatusCode, problem["type"].GetString(), problem["detail"].GetString(), problem["upgradeTo"].GetString()));
            }
        }

        // A token nobody issued learns nothing about the organisation's plan.
        using (var stranger = await anonymous.GetAsync($"/api/wall/{ShareTokens.Create()}/stores/{tenant}/shop/forecast", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        }

        await app.Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, PlanTier.Scale, app.Clock.GetUtcNow(), "test"), Ct);
        using var wallForecast = await anonymous.GetAsync(wall, Ct);
        using var exported = await owner.GetAsync(export, Ct);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (wallForecast.StatusCode, exported.StatusCode));
        Assert.Equal("EUR", (await wallForecast.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("currency").GetString());
    }

    [Fact]
    public async Task The_you_vs_peers_widget_is_hidden_with_the_reason_below_scale_and_not_refused()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        using var owner = app.ClientFor(tenant);
        var path = $"/api/tenants/{tenant}/benchmarks/widget/conversion-rate";

        var hidden = (await owner.GetFromJsonAsync<PeerWidgetView>(path, Json, Ct))!;
        Assert.Equal((PeerWidgetHidden.Plan, null, null), (hidden.Hidden, hidden.Cohort, hidden.P50));
        Assert.Contains("advanced analytics", hidden.Message, StringComparison.Ordinal);

        // On Scale the plan no longer hides it; with no cohort published yet it is hidden for that reason instead.
        await app.Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, PlanTier.Scale, app.Clock.GetUtcNow(), "test"), Ct);
        var scale = (await owner.GetFromJsonAsync<PeerWidgetView>(path, Json, Ct))!;
        Assert.Equal(PeerWidgetHidden.CohortTooSmall, scale.Hidden);
    }
}
