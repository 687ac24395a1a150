using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.Alerts;
using SalesDash.Web.Channels;
using SalesDash.Web.Identity;
using SalesDash.Web.Metrics;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>"Cannot be evaluated": a rule whose channel is disconnected or whose metric is gone says why, read fresh each time.</summary>
public sealed class AlertRuleHealthTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SalesDashHost _app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Disconnecting_the_channel_a_rule_watches_marks_the_rule_with_the_reason_and_reconnecting_clears_it()
    {
        var connections = _app.Services.GetRequiredService<IChannelConnectionStore>();
        var uk = new StoreRef("acme", "uk-shop");
        await connections.UpsertAsync(new ChannelConnection(uk, SalesChannel.Amazon, true, new Dictionary<string, string>(), new Dictionary<string, string>(),
            TimeSpan.FromMinutes(5), WebAppFactory.Now), Ct);
        var admin = _app.CreateSignedInClient(OrgRole.Admin, "acme");
        using var created = await admin.PostAsJsonAsync("/api/tenants/acme/alert-rules",
            new AlertRuleRequest("Amazon slump", "Threshold", Threshold: 10m, StoreId: "uk-shop", Channel: "Amazon"), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        Assert.Null(rule.CannotEvaluate);

        Assert.True(await connections.DeleteAsync(uk, SalesChannel.Amazon, Ct));
        var listed = await admin.GetFromJsonAsync<AlertRuleView[]>("/api/tenants/acme/alert-rules", Json, Ct);
        var marked = Assert.Single(listed!, r => r.Id == rule.Id);
        Assert.Equal("Amazon is not connected to 'uk-shop': connect it again on the Channels page, or change the rule's channel.", marked.CannotEvaluate);

        // A rule on the store's own channel (its webhooks) is fine; so is the rule again once Amazon is reconnected.
        using var own = await admin.PostAsJsonAsync("/api/tenants/acme/alert-rules",
            new AlertRuleRequest("Shopify slump", "Threshold", Threshold: 10m, StoreId: "uk-shop", Channel: "Shopify"), Json, Ct);
        Assert.Null((await own.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!.CannotEvaluate);
        await connections.UpsertAsync(new ChannelConnection(uk, SalesChannel.Amazon, true, new Dictionary<string, string>(), new Dictionary<string, string>(),
            TimeSpan.FromMinutes(5), WebAppFactory.Now), Ct);
        Assert.Null((await admin.GetFromJsonAsync<AlertRuleView>($"/api/tenants/acme/alert-rules/{rule.Id}", Json, Ct))!.CannotEvaluate);
    }

    [Fact]
    public async Task A_rule_on_a_deleted_custom_metric_says_the_metric_is_gone()
    {
        var metrics = _app.Services.GetRequiredService<ICustomMetricStore>();
        var metric = await metrics.CreateAsync("acme", "Revenue per order", "revenue / orders", MetricFormat.Currency, Ct);
        var admin = _app.CreateSignedInClient(OrgRole.Admin, "acme");
        using var created = await admin.PostAsJsonAsync("/api/tenants/acme/alert-rules",
            new AlertRuleRequest("RPO low", "Threshold", Threshold: 20m, CustomMetricId: metric.Id), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<AlertRuleView>(Json, Ct))!;
        Assert.Null(rule.CannotEvaluate);

        Assert.True(await metrics.DeleteAsync("acme", metric.Id, Ct));
        var read = await admin.GetFromJsonAsync<AlertRuleView>($"/api/tenants/acme/alert-rules/{rule.Id}", Json, Ct);
        Assert.Equal("The custom metric 'Revenue per order' it watches was deleted.", read!.CannotEvaluate);
    }
}
