using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Alerts;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>Alert rules and alerts of an organisation through the HTTP API.</summary>
public sealed class AlertsApiTests(AlertsAppFactory app) : IClassFixture<AlertsAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Rules(string tenant = "acme") => $"/api/tenants/{tenant}/alert-rules";

    private static string Alerts(string tenant = "acme") => $"/api/tenants/{tenant}/alerts";

    [Fact]
    public async Task A_created_rule_is_listed_read_back_changed_and_deleted()
    {
        var client = app.CreateSignedInClient();
        var request = new AlertRuleRequest("Checkout broken", "noorders", WindowMinutes: 45, FrequencyMinutes: 120, Recipients: ["ops@acme.test"],
            WebhookUrl: "https://hooks.example.test/T000/B000", QuietHours: new QuietHoursView("22:00", "07:00"), StoreId: "uk-shop");
        using var created = await client.PostAsJsonAsync(Rules(), request, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        Assert.Equal($"/api/tenants/acme/alert-rules/{rule.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("NoOrders", "Orders", 45, 120, "uk-shop"), (rule.Kind, rule.Metric, rule.WindowMinutes, rule.FrequencyMinutes, rule.StoreId));
        Assert.Equal(new QuietHoursView("22:00", "07:00"), rule.QuietHours);
        Assert.Equal(["ops@acme.test"], rule.Recipients);

        var listed = await client.GetFromJsonAsync<AlertRuleView[]>(Rules(), Json, Ct);
        Assert.Contains(listed!, r => r.Id == rule.Id && r.Name == "Checkout broken");

        using var put = await client.PutAsJsonAsync($"{Rules()}/{rule.Id}", request with { Name = "Checkout broken (30 min)", WindowMinutes = 30, Enabled = false }, Json, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = await client.GetFromJsonAsync<AlertRuleView>($"{Rules()}/{rule.Id}", Json, Ct);
        Assert.Equal(("Checkout broken (30 min)", 30, false, rule.CreatedAt), (read!.Name, read.WindowMinutes, read.Enabled, read.CreatedAt));

        using var delete = await client.DeleteAsync($"{Rules()}/{rule.Id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await AssertProblemAsync(await client.GetAsync($"{Rules()}/{rule.Id}", Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync($"{Rules("globex")}/{rule.Id}", Ct), HttpStatusCode.NotFound);
    }

    public static TheoryData<string> EveryKind() => ["Threshold", "PercentChange", "Anomaly", "NoOrders"];

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task Every_rule_kind_round_trips_with_its_own_fields(string kind)
    {
        var client = app.CreateSignedInClient();
        var request = kind switch
        {
            "Threshold" => new AlertRuleRequest("AOV under 40", kind, Metric: "AverageOrderValue", Direction: "Below", Threshold: 40m, WindowMinutes: 90, Channel: "Amazon"),
            "PercentChange" => new AlertRuleRequest("Revenue down a quarter", kind, Metric: "Revenue", Threshold: 25m, WindowMinutes: 60, Comparison: "Yesterday"),
            "Anomaly" => new AlertRuleRequest("Orders unusual", kind, Metric: "Orders", Direction: "Either", MinimumSeverity: "Medium"),
            _ => new AlertRuleRequest("Silence", kind, WindowMinutes: 25, StoreId: "uk-shop"),
        };
        using var created = await client.PostAsJsonAsync(Rules(), request, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!.Id;
        var read = (await client.GetFromJsonAsync<AlertRuleView>($"{Rules()}/{id}", Json, Ct))!;
        var expected = kind switch
        {
            "Threshold" => ("Threshold", "AverageOrderValue", "Below", (decimal?)40m, 90, "LastWeek", "Low", "Amazon", (string?)null),
            "PercentChange" => ("PercentChange", "Revenue", "Below", 25m, 60, "Yesterday", "Low", null, null),
            "Anomaly" => ("Anomaly", "Orders", "Either", null, 30, "LastWeek", "Medium", null, null),
            _ => ("NoOrders", "Orders", "Below", null, 25, "LastWeek", "Low", null, "uk-shop"),
        };
        Assert.Equal(expected, (read.Kind, read.Metric, read.Direction, read.Threshold, read.WindowMinutes, read.Comparison, read.MinimumSeverity, read.Channel, read.StoreId));
        using var _ = await client.DeleteAsync($"{Rules()}/{id}", Ct);
    }

    public static TheoryData<string, string> InvalidRules() => new()
    {
        { """{"name":"","kind":"Anomaly"}""", "name" },
        { """{"name":"A","kind":"Sometimes"}""", "kind" },
        { """{"name":"A"}""", "kind" },
        { """{"name":"A","kind":"Threshold","metric":"Revenue"}""", "threshold" },
        { """{"name":"A","kind":"Threshold","threshold":5,"direction":"Either"}""", "direction" },
        { """{"name":"A","kind":"PercentChange","threshold":0}""", "threshold" },
        { """{"name":"A","kind":"Anomaly","metric":"Profit"}""", "metric" },
        { """{"name":"A","kind":"Anomaly","windowMinutes":500}""", "windowMinutes" },
        { """{"name":"A","kind":"NoOrders","windowMinutes":2}""", "windowMinutes" },
        { """{"name":"A","kind":"Anomaly","recipients":["not-an-address"]}""", "recipients[0]" },
        { """{"name":"A","kind":"Anomaly","webhookUrl":"ftp://x/y"}""", "webhookUrl" },
        { """{"name":"A","kind":"Anomaly","quietHours":{"start":"25:00","end":"07:00"}}""", "quietHours" },
        { """{"name":"A","kind":"Anomaly","storeId":"nowhere"}""", "storeId" },
        { """{"name":"A","kind":"Anomaly","frequencyMinutes":0}""", "frequencyMinutes" },
        { """{"name":"A","kind":"Anomaly","minimumSeverity":"None"}""", "minimumSeverity" },
        { """{"name":"A","kind":"Anomaly","channel":"Tiktok"}""", "channel" },
        { """{"name":"A","kind":"Threshold","metric":"ConversionRate","threshold":0.02,"channel":"Amazon"}""", "channel" },
    };

    [Fact]
    public async Task A_rule_can_watch_one_channel_and_says_which()
    {
        var client = app.CreateSignedInClient();
        using var created = await client.PostAsJsonAsync(Rules(), new AlertRuleRequest("Amazon slump", "anomaly", Channel: "amazon"), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        Assert.Equal(("Anomaly", "Revenue", "Amazon"), (rule.Kind, rule.Metric, rule.Channel));

        var read = await client.GetFromJsonAsync<AlertRuleView>($"{Rules()}/{rule.Id}", Json, Ct);
        Assert.Equal("Amazon", read!.Channel);

        // Without a channel the rule watches the whole store, as before.
        using var whole = await client.PostAsJsonAsync(Rules(), new AlertRuleRequest("Store slump", "anomaly"), Json, Ct);
        Assert.Null((await whole.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!.Channel);
    }

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task An_invalid_rule_is_a_400_problem_naming_the_field(string body, string field)
    {
        var client = app.CreateSignedInClient();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(Rules(), content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem.RootElement}");
    }

    [Fact]
    public async Task Unknown_organisation_is_a_404_problem()
    {
        var client = app.CreateSignedInClient();
        await AssertProblemAsync(await client.GetAsync(Rules("nobody"), Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync(Alerts("nobody"), Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsJsonAsync(Rules("nobody"), new AlertRuleRequest("A", "Anomaly"), Json, Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Acknowledging_a_firing_alert_records_who_and_when_and_survives_its_resolution()
    {
        var client = app.CreateSignedInClient();
        var store = app.Services.GetRequiredService<IAlertStore>();
        var figures = new AlertFigures(AlertMetric.Orders, 0m, 12m, null, null, null, 30, WebAppFactory.Now.AddMinutes(-1), "GBP", AnomalySeverity.None);
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString("N"),
            TenantId = "acme",
            StoreId = "uk-shop",
            RuleId = "rule-ack",
            RuleName = "No orders",
            Kind = AlertRuleKind.NoOrders,
            Status = AlertStatus.Firing,
            FiredAt = WebAppFactory.Now,
            Message = "No orders: no orders for 30 minutes (the same 30 minutes last week had 12).",
            Figures = figures,
        };
        await store.SaveAlertAsync(alert, Ct);

        var firing = await client.GetFromJsonAsync<AlertView[]>($"{Alerts()}?status=firing", Json, Ct);
        Assert.Contains(firing!, a => a.Id == alert.Id);

        using var ack = await client.PostAsJsonAsync($"{Alerts()}/{alert.Id}/acknowledge", new AcknowledgeRequest("Dana"), Json, Ct);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acked = (await ack.Content.ReadFromJsonAsync<AlertView>(Json, Ct))!;
        Assert.Equal(("Acknowledged", "Dana", (DateTimeOffset?)app.Clock.GetUtcNow()), (acked.Status, acked.AcknowledgedBy, acked.AcknowledgedAt));
        Assert.DoesNotContain((await client.GetFromJsonAsync<AlertView[]>($"{Alerts()}?status=firing", Json, Ct))!, a => a.Id == alert.Id);

        // The evaluator resolves it later without knowing of the acknowledgement; the acknowledgement stays.
        await store.SaveAlertAsync(alert with { Status = AlertStatus.Resolved, ResolvedAt = WebAppFactory.Now.AddMinutes(20), ResolvedFigures = figures with { Observed = 0m } }, Ct);
        var resolved = await client.GetFromJsonAsync<AlertView>($"{Alerts()}/{alert.Id}", Json, Ct);
        Assert.Equal(("Resolved", "Dana"), (resolved!.Status, resolved.AcknowledgedBy));

        // Acknowledging again changes nothing; an unknown alert or another organisation's is 404.
        using var again = await client.PostAsync($"{Alerts()}/{alert.Id}/acknowledge", null, Ct);
        Assert.Equal(("Resolved", "Dana"), ((await again.Content.ReadFromJsonAsync<AlertView>(Json, Ct))!.Status, resolved.AcknowledgedBy));
        await AssertProblemAsync(await client.PostAsync($"{Alerts()}/nope/acknowledge", null, Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsync($"{Alerts("globex")}/{alert.Id}/acknowledge", null, Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync($"{Alerts()}?status=sleeping", Ct), HttpStatusCode.BadRequest);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
