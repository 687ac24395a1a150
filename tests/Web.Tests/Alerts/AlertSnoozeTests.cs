using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Alerts;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>Snoozing one alert: stored, nothing sent about it while snoozed, one reminder after if it is still open.</summary>
public sealed class AlertSnoozeTests : IAsyncLifetime
{
    // The waker does not run on its own here: the test calls it, so no timer races the assertions.
    private readonly SalesDashHost _app = new(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["Alerts:Snooze:CheckInterval"] = "00:00:00" } });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_snoozed_alert_is_not_sent_until_its_time_and_is_sent_again_then_if_still_firing()
    {
        var (rule, firing) = await StoredAsync("a-firing");
        var (_, resolving) = await StoredAsync("a-resolving");
        var analyst = _app.CreateSignedInClient(OrgRole.Analyst, "acme");
        var until = WebAppFactory.Now.AddHours(1);
        foreach (var id in new[] { firing.Id, resolving.Id })
        {
            using var snoozed = await analyst.PostAsJsonAsync($"/api/tenants/acme/alerts/{id}/snooze", new { until }, Ct);
            Assert.Equal(HttpStatusCode.OK, snoozed.StatusCode);
        }

        var listed = await analyst.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alerts", Ct);
        Assert.All(listed.EnumerateArray(), a => Assert.Equal(until, a.GetProperty("snoozedUntil").GetDateTimeOffset()));

        var sent = new List<string>();
        var notifier = new PausableAlertNotifier(new Recording(sent), _app.Services.GetRequiredService<AlertPauses>(), NullLogger<PausableAlertNotifier>.Instance,
            _app.Services.GetRequiredService<AlertSnoozes>());
        await notifier.NotifyAsync(new AlertNotification(firing, rule, AlertNotificationKind.Fired, false), Ct);
        var (_, other) = await StoredAsync("a-other");
        await notifier.NotifyAsync(new AlertNotification(other, rule, AlertNotificationKind.Fired, false), Ct);
        Assert.Equal(["a-other"], sent);

        var waker = new AlertSnoozeWaker(_app.Services.GetRequiredService<AlertSnoozes>(), _app.Services.GetRequiredService<IAlertStore>(),
            _app.Services.GetRequiredService<IAlertRuleStore>(), [notifier], NullLogger<AlertSnoozeWaker>.Instance);
        Assert.Empty(await waker.WakeAsync(Ct));

        // One alert resolves while snoozed: when the snooze ends only the one still firing is sent again, once.
        await _app.Services.GetRequiredService<IAlertStore>().SaveAlertAsync(resolving with { Status = AlertStatus.Resolved, ResolvedAt = WebAppFactory.Now.AddMinutes(30) }, Ct);
        _app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(["a-firing"], await waker.WakeAsync(Ct));
        Assert.Equal(["a-other", "a-firing"], sent);
        Assert.Empty(await waker.WakeAsync(Ct));

        var after = await analyst.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alerts/a-firing", Ct);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("snoozedUntil").ValueKind);
    }

    [Fact]
    public async Task A_snooze_in_the_past_too_long_of_an_unknown_or_resolved_alert_or_by_a_viewer_is_refused()
    {
        var (_, alert) = await StoredAsync("a1");
        await _app.Services.GetRequiredService<IAlertStore>().SaveAlertAsync(alert with { Id = "a-done", Status = AlertStatus.Resolved, ResolvedAt = WebAppFactory.Now }, Ct);
        var analyst = _app.CreateSignedInClient(OrgRole.Analyst, "acme");
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/api/tenants/acme/alerts/a1/snooze", new { until = WebAppFactory.Now.AddMinutes(-1) }, Ct), HttpStatusCode.BadRequest, "until");
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/api/tenants/acme/alerts/a1/snooze", new { until = WebAppFactory.Now.AddDays(8) }, Ct), HttpStatusCode.BadRequest, "until");
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/api/tenants/acme/alerts/nope/snooze", new { until = WebAppFactory.Now.AddHours(1) }, Ct), HttpStatusCode.NotFound);
        await AssertProblemAsync(await analyst.PostAsJsonAsync("/api/tenants/acme/alerts/a-done/snooze", new { until = WebAppFactory.Now.AddHours(1) }, Ct), HttpStatusCode.Conflict);
        var viewer = _app.CreateSignedInClient(OrgRole.Viewer, "acme");
        using var refused = await viewer.PostAsJsonAsync("/api/tenants/acme/alerts/a1/snooze", new { until = WebAppFactory.Now.AddHours(1) }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null(await _app.Services.GetRequiredService<AlertSnoozes>().SnoozedUntilAsync("acme", "a1", Ct));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field is not null)
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
            }
        }
    }

    private async Task<(AlertRule Rule, Alert Alert)> StoredAsync(string alertId)
    {
        var rules = _app.Services.GetRequiredService<IAlertRuleStore>();
        var rule = (await rules.ListRulesAsync("acme", Ct)).FirstOrDefault()
            ?? await rules.CreateRuleAsync("acme", new AlertRuleInput("Quiet shop", AlertRuleKind.NoOrders, WindowMinutes: 30), Ct);
        var alert = new Alert
        {
            Id = alertId,
            TenantId = "acme",
            StoreId = "uk-shop",
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind,
            Status = AlertStatus.Firing,
            FiredAt = WebAppFactory.Now,
            Message = "Quiet shop: no orders for 30 minutes.",
            Figures = new AlertFigures(AlertMetric.Orders, 30, null, null, null, null, 30, WebAppFactory.Now, "GBP", AnomalySeverity.None),
        };
        await _app.Services.GetRequiredService<IAlertStore>().SaveAlertAsync(alert, Ct);
        return (rule, alert);
    }

    private sealed class Recording(List<string> sent) : IAlertNotifier
    {
        public string Channel => "test";

        public Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            sent.Add(notification.Alert.Id);
            return Task.CompletedTask;
        }
    }
}
