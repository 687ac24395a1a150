using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Metrics;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Plans;

namespace SalesDash.Web.Tests.Metrics;

/// <summary>Custom metrics through the API: defined, refused with positions, and computed from the same history the tiles show.</summary>
public sealed class MetricsApiTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metric_is_created_read_changed_and_deleted()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var client = app.ClientAs("analyst-1", "a@example.com");

        using var created = await client.PostAsJsonAsync($"/api/tenants/{tenant}/metrics", new CustomMetricInput(" Contribution ", "net_revenue - ad_spend", "currency"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var metric = (await created.Content.ReadFromJsonAsync<CustomMetric>(Json, Ct))!;
        Assert.Equal(("Contribution", "net_revenue - ad_spend", MetricFormat.Currency), (metric.Name, metric.Formula, metric.Format));

        using var put = await client.PutAsJsonAsync($"/api/tenants/{tenant}/metrics/{metric.Id}", new CustomMetricInput("Revenue per visit", "revenue / sessions", null), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var list = await client.GetFromJsonAsync<CustomMetric[]>($"/api/tenants/{tenant}/metrics", Json, Ct);
        Assert.Equal([("Revenue per visit", "revenue / sessions", MetricFormat.Number)], list!.Select(m => (m.Name, m.Formula, m.Format)));

        using var deleted = await client.DeleteAsync($"/api/tenants/{tenant}/metrics/{metric.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"/api/tenants/{tenant}/metrics/{metric.Id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<CustomMetric[]>($"/api/tenants/{tenant}/metrics", Json, Ct))!);
    }

    [Fact]
    public async Task Bad_formula_is_refused_with_the_position_of_each_mistake()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);

        using var response = await app.ClientAs().PostAsJsonAsync($"/api/tenants/{tenant}/metrics", new CustomMetricInput("Margin", "revenue - cogs - shipping", null), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync(Ct);
        var errors = problem["errors"].GetProperty("formula").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("At 11: Unknown figure 'cogs'. Known: ad_spend, aov,", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("At 18: Unknown figure 'shipping'.", errors[1], StringComparison.Ordinal);
        Assert.Equal([(10, 4), (17, 8)], problem["formulaErrors"].EnumerateArray().Select(e => (e.GetProperty("position").GetInt32(), e.GetProperty("length").GetInt32())));
        Assert.Empty((await app.ClientAs().GetFromJsonAsync<CustomMetric[]>($"/api/tenants/{tenant}/metrics", Json, Ct))!);
    }

    [Fact]
    public async Task Check_answers_the_normalised_formula_and_the_figures_it_uses()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);

        var check = await app.ClientAs().GetFromJsonAsync<FormulaCheck>($"/api/tenants/{tenant}/metrics/check?formula={Uri.EscapeDataString("((revenue))/if_zero(sessions,1)")}", Json, Ct);

        Assert.Equal((true, "revenue / if_zero(sessions, 1)"), (check!.Valid, check.Normalised));
        Assert.Equal(["revenue", "sessions"], check.Figures);
    }

    [Fact]
    public async Task Values_come_from_todays_history_and_ad_spend_hour_by_hour_and_on_the_wallboard()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var now = app.Clock.GetUtcNow(); // 15:30 UTC = 16:30 in Berlin
        var history = app.Services.GetRequiredService<IHistoryStore>();
        await history.InitializeAsync(Ct);
        var batch = new HistoryBatch();
        batch.Add(Order(tenant, "o1", now.Date.AddHours(9).AddMinutes(10), 100m));
        batch.Add(Order(tenant, "o2", now.Date.AddHours(13).AddMinutes(5), 300m));
        batch.Add(Order(tenant, "y1", now.Date.AddDays(-1).AddHours(9), 80m));
        batch.Add(new RefundFact(tenant, "shop", SalesChannel.Shopify, "r1", "o2", now.Date.AddHours(14), 50m, 1, []));
        for (var i = 0; i < 8; i++)
        {
            batch.Add(new SessionFact(tenant, "shop", SalesChannel.Shopify, $"s{i}", now.Date.AddHours(9), "direct"));
        }

        batch.Add(new SpendFact(tenant, "shop", SalesChannel.FacebookAds, "sp1", new DateTimeOffset(now.Date.AddHours(12), TimeSpan.Zero), 120m, "EUR"));
        await history.WriteFactsAsync(batch, Ct);
        var client = app.ClientAs();
        var contribution = await CreateAsync(client, tenant, "Contribution", "net_revenue - ad_spend");
        var perVisit = await CreateAsync(client, tenant, "Revenue per visit", "revenue / sessions");

        var values = (await client.GetFromJsonAsync<MetricValues>($"/api/tenants/{tenant}/metrics/{contribution.Id}/values?storeId=shop&period=today&compare=previous", Json, Ct))!;
        var ratio = (await client.GetFromJsonAsync<MetricValues>($"/api/tenants/{tenant}/metrics/{perVisit.Id}/values?storeId=shop", Json, Ct))!;

        Assert.Equal((230m, 80m, "hour", "EUR"), (values.Value, values.Previous, values.Grain, values.Currency));
        var byLocalHour = values.Points.ToDictionary(p => p.Start.Hour, p => p.Value);
        Assert.Equal(17, byLocalHour.Count); // 00:00 to 16:00 local, the hour in progress included
        Assert.Equal((100m, -120m, 300m, -50m, 0m), (byLocalHour[10], byLocalHour[13], byLocalHour[14], byLocalHour[15], byLocalHour[11]));
        Assert.Equal(50m, ratio.Value);
        Assert.Equal(12.5m, ratio.Points.Single(p => p.Start.Hour == 10).Value);
        Assert.Null(ratio.Points.Single(p => p.Start.Hour == 14).Value); // no sessions that hour: no value, not infinity

        var widget = new Widget("contribution", "kpi", "Contribution", new WidgetSettings(MetricsApi.WidgetPrefix + contribution.Id, "today", "none"));
        using var board = await client.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", new DashboardInput("Wall", [new LayoutItem("contribution", 0, 0, 4, 3)], [widget]), Ct);
        Assert.Equal(HttpStatusCode.Created, board.StatusCode);
        var id = (await board.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
        using var share = await client.PostAsync($"/api/tenants/{tenant}/dashboards/{id}/share", null, Ct);
        var token = (await share.Content.ReadFromJsonAsync<ShareLinkCreated>(Json, Ct))!.Token;
        var wall = app.CreateClient();
        Assert.Equal(230m, (await wall.GetFromJsonAsync<MetricValues>($"/api/wall/{token}/stores/{tenant}/shop/metrics/{contribution.Id}", Json, Ct))!.Value);
        using var notShown = await wall.GetAsync($"/api/wall/{token}/stores/{tenant}/shop/metrics/{perVisit.Id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, notShown.StatusCode);
    }

    [Fact]
    public async Task Custom_metric_widget_must_be_a_kpi_or_chart_of_today()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var widget = new Widget("w", "goal", null, new WidgetSettings("custom:abc", "today", "none", Target: 10m));

        using var response = await app.ClientAs().PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", new DashboardInput("B", [new LayoutItem("w", 0, 0, 4, 3)], [widget]), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("A custom metric can be shown by a kpi or a chart widget.", (await response.ProblemAsync(Ct))["errors"].GetProperty("widgets[0].settings.metric")[0].GetString());
    }

    private static OrderFact Order(string tenant, string id, DateTime placedUtc, decimal total) =>
        new(tenant, "shop", SalesChannel.Shopify, id, 1, new DateTimeOffset(placedUtc, TimeSpan.Zero), "EUR", total, 1, false, false, "direct", "DE", []);

    private static async Task<CustomMetric> CreateAsync(HttpClient client, string tenant, string name, string formula)
    {
        using var response = await client.PostAsJsonAsync($"/api/tenants/{tenant}/metrics", new CustomMetricInput(name, formula, null), Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CustomMetric>(Json, Ct))!;
    }
}

/// <summary>Alert rules that watch a custom metric: only formulas over figures closed minutes carry.</summary>
public sealed class CustomMetricAlertRuleTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rule_targets_a_minute_figure_metric_and_refuses_one_that_needs_refunds()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        var client = app.ClientAs();
        var perVisit = await CreateAsync(client, tenant, "Revenue per visit", "revenue / sessions");
        var net = await CreateAsync(client, tenant, "Net", "net_revenue - refunds");

        using var ok = await client.PostAsJsonAsync($"/api/tenants/{tenant}/alert-rules",
            new { name = "Visits pay less", kind = "Threshold", threshold = 5, direction = "Below", windowMinutes = 15, customMetricId = perVisit.Id }, Ct);
        using var refused = await client.PostAsJsonAsync($"/api/tenants/{tenant}/alert-rules",
            new { name = "Net drop", kind = "Threshold", threshold = 5, customMetricId = net.Id }, Ct);
        using var anomaly = await client.PostAsJsonAsync($"/api/tenants/{tenant}/alert-rules",
            new { name = "Odd visits", kind = "Anomaly", customMetricId = perVisit.Id }, Ct);

        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var rule = await ok.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);
        Assert.Equal((perVisit.Id, "Revenue per visit"), (rule.GetProperty("customMetricId").GetString(), rule.GetProperty("customMetricName").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.StartsWith("Alerts read figures minute by minute, which carry revenue, orders, sessions, aov, conversion; 'Net' (net_revenue - refunds) needs more: Unknown figure 'net_revenue'.",
            (await refused.ProblemAsync(Ct))["errors"].GetProperty("customMetricId")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("Only threshold and percent-change rules can watch a custom metric.",
            (await anomaly.ProblemAsync(Ct))["errors"].GetProperty("customMetricId")[0].GetString());
    }

    private static async Task<CustomMetric> CreateAsync(HttpClient client, string tenant, string name, string formula)
    {
        using var response = await client.PostAsJsonAsync($"/api/tenants/{tenant}/metrics", new CustomMetricInput(name, formula, null), Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CustomMetric>(Json, Ct))!;
    }
}
