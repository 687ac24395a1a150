using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.Alerts;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// Alert rules kept after a downgrade: a rule above the tier is kept and shown with why it is paused, is not evaluated
/// (its open alert resolves although its condition still holds), and runs again once the tier allows it. Custom alerts
/// are Growth and above; anomaly rules are advanced analytics, Scale and above.
/// </summary>
public sealed class AlertRulePlanTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_custom_alert_kept_after_a_downgrade_is_paused_with_its_reason_and_runs_again_after_the_upgrade()
    {
        var tenant = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        using var owner = app.ClientFor(tenant);

        // One order now, so the store has a last order and silence after it is counted.
        var now = app.Clock.GetUtcNow();
        Assert.Equal(IngestOutcome.Accepted, await app.Services.GetRequiredService<ICommerceEventIngest>().IngestAsync(new OrderPlaced
        {
            Store = new StoreRef(tenant, "shop"),
            Channel = SalesChannel.Shopify,
            EventId = "o-1",
            OccurredAt = now,
            StoreTimeZone = "Europe/Berlin",
            Currency = "EUR",
            OrderId = "o-1",
            PlacedAt = now,
            Version = now,
            TotalPrice = 20m,
            Lines = [new OrderLine("MUG", "Mug", 1, 20m)],
        }, Ct));

        using var created = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/alert-rules",
            new AlertRuleRequest("Checkout quiet", "NoOrders", WindowMinutes: 5, FrequencyMinutes: 1, StoreId: "shop"), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        Assert.Null(rule.PausedReason);

        // Ten silent minutes on Growth: the rule fires.
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var first = await WaitForAsync(owner, tenant, alerts => alerts.SingleOrDefault(a => a.RuleId == rule.Id && a.Status == "Firing"));

        // Down to Starter: the rule is kept, says why it is paused, and the plan page lists it.
        await SetTierAsync(tenant, PlanTier.Starter);
        const string Reason = "Paused: The Starter plan does not include custom alerts. The Growth plan includes it. "
            + "The rule is kept and runs again once the organisation is on that plan.";
        Assert.Equal(Reason, (await RuleAsync(owner, tenant, rule.Id)).PausedReason);
        var plan = (await owner.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!;
        Assert.Equal([new PausedAlertRuleView(rule.Id, "Checkout quiet", "NoOrders", Reason)], plan.PausedAlertRules);

        // Still silent, but no longer evaluated: the open alert resolves as for a rule switched off, and none opens.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var resolved = await WaitForAsync(owner, tenant, alerts => alerts.SingleOrDefault(a => a.Id == first.Id && a.Status == "Resolved"));
        Assert.Single(await AlertsAsync(owner, tenant), a => a.RuleId == rule.Id);

        // Back on Growth: the same rule, never deleted, runs again and fires on the silence that still lasts.
        await SetTierAsync(tenant, PlanTier.Growth);
        Assert.Null((await RuleAsync(owner, tenant, rule.Id)).PausedReason);
        Assert.Empty((await owner.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!.PausedAlertRules);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await WaitForAsync(owner, tenant, alerts => alerts.SingleOrDefault(a => a.RuleId == rule.Id && a.Status == "Firing"));
        Assert.NotEqual(first.Id, again.Id);
        Assert.True(again.FiredAt > resolved.ResolvedAt, $"fired {again.FiredAt:HH:mm}, resolved {resolved.ResolvedAt:HH:mm}");
    }

    [Fact]
    public async Task An_anomaly_rule_needs_scale_to_be_written_and_is_paused_on_growth_until_scale_again()
    {
        var scale = await app.NewOrganisationAsync(PlanTier.Scale, Ct);
        var growth = await app.NewOrganisationAsync(PlanTier.Growth, Ct);
        using var scaleOwner = app.ClientFor(scale);
        using var growthOwner = app.ClientFor(growth);
        var anomaly = new AlertRuleRequest("Odd revenue", "Anomaly", Metric: "Revenue", Direction: "Either", MinimumSeverity: "Medium");

        // Growth writes custom alerts but not anomaly rules: the refusal names the limit and Scale.
        using var refused = await growthOwner.PostAsJsonAsync($"/api/tenants/{growth}/alert-rules", anomaly, Json, Ct);
        var problem = await refused.ProblemAsync(Ct);
        Assert.Equal((HttpStatusCode.Forbidden, PlanLimitProblems.Type, "advanced analytics (anomalies, forecasts, attribution, benchmarks)", "Growth", "Scale"),
            (refused.StatusCode, problem["type"].GetString(), problem["limit"].GetString(), problem["tier"].GetString(), problem["upgradeTo"].GetString()));
        using var threshold = await growthOwner.PostAsJsonAsync($"/api/tenants/{growth}/alert-rules",
            new AlertRuleRequest("Slow hour", "Threshold", Metric: "Revenue", Direction: "Below", Threshold: 10m, WindowMinutes: 60), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, threshold.StatusCode);
        var kept = Assert.Single(await RulesAsync(growthOwner, growth));
        Assert.Equal(("Slow hour", null), (kept.Name, kept.PausedReason));

        // Written on Scale, then the organisation drops to Growth: kept, paused naming advanced analytics, not editable.
        using var created = await scaleOwner.PostAsJsonAsync($"/api/tenants/{scale}/alert-rules", anomaly, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        await SetTierAsync(scale, PlanTier.Growth);
        var paused = Assert.Single(await RulesAsync(scaleOwner, scale));
        Assert.Equal((rule.Id, "Paused: The Growth plan does not include advanced analytics (anomalies, forecasts, attribution, benchmarks). The Scale plan includes it. "
            + "The rule is kept and runs again once the organisation is on that plan."), (paused.Id, paused.PausedReason));
        using var edit = await scaleOwner.PutAsJsonAsync($"/api/tenants/{scale}/alert-rules/{rule.Id}", anomaly with { Name = "Renamed" }, Json, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "Scale"), (edit.StatusCode, (await edit.ProblemAsync(Ct))["upgradeTo"].GetString()));

        // The evaluators ask the same allowance: on Growth the rule is held back, on Scale it runs.
        var allowance = app.Services.GetRequiredService<IAlertRuleAllowance>();
        var stored = await app.Services.GetRequiredService<IAlertRuleStore>().ListRulesAsync(scale, Ct);
        Assert.Equal([rule.Id], (await allowance.PausedAsync(stored, Ct)).Keys);
        await SetTierAsync(scale, PlanTier.Scale);
        Assert.Empty(await allowance.PausedAsync(stored, Ct));
        Assert.Null(Assert.Single(await RulesAsync(scaleOwner, scale)).PausedReason);
    }

    [Theory]
    [InlineData(PlanTier.Free, AlertRuleKind.NoOrders, PlanFeature.CustomAlerts)]
    [InlineData(PlanTier.Starter, AlertRuleKind.Threshold, PlanFeature.CustomAlerts)]
    [InlineData(PlanTier.Starter, AlertRuleKind.Anomaly, PlanFeature.AdvancedAnalytics)]
    [InlineData(PlanTier.Growth, AlertRuleKind.PercentChange, null)]
    [InlineData(PlanTier.Growth, AlertRuleKind.Anomaly, PlanFeature.AdvancedAnalytics)]
    [InlineData(PlanTier.Scale, AlertRuleKind.Anomaly, null)]
    [InlineData(PlanTier.Enterprise, AlertRuleKind.Anomaly, null)]
    public void What_each_tier_lets_a_rule_do(PlanTier tier, AlertRuleKind kind, PlanFeature? missing) =>
        Assert.Equal(missing, AlertRulePlans.Missing(PlanCatalog.For(tier), kind));

    private async Task SetTierAsync(string tenant, PlanTier tier) =>
        await app.Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, tier, app.Clock.GetUtcNow(), "test"), Ct);

    private static async Task<AlertRuleView> RuleAsync(HttpClient client, string tenant, string id) =>
        (await client.GetFromJsonAsync<AlertRuleView>($"/api/tenants/{tenant}/alert-rules/{id}", Json, Ct))!;

    private static async Task<IReadOnlyList<AlertRuleView>> RulesAsync(HttpClient client, string tenant) =>
        (await client.GetFromJsonAsync<AlertRuleView[]>($"/api/tenants/{tenant}/alert-rules", Json, Ct))!;

    private static async Task<IReadOnlyList<AlertView>> AlertsAsync(HttpClient client, string tenant) =>
        (await client.GetFromJsonAsync<AlertView[]>($"/api/tenants/{tenant}/alerts", Json, Ct))!;

    /// <summary>Polls the organisation's alerts until <paramref name="probe"/> finds one; the evaluators pull every 100 ms.</summary>
    private static async Task<AlertView> WaitForAsync(HttpClient client, string tenant, Func<IReadOnlyList<AlertView>, AlertView?> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var alerts = await AlertsAsync(client, tenant);
            if (probe(alerts) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting; alerts now: " + JsonSerializer.Serialize(alerts, Json));
            await Task.Delay(100, Ct);
        }
    }
}
