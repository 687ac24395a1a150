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

/// <summary>"Pause all alerts until …": stored per store or organisation, honoured by every notifier, over by itself at its time.</summary>
public sealed class AlertPauseTests : IAsyncLifetime
{
    private readonly SalesDashHost _app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_paused_store_is_not_notified_until_the_pause_ends_and_other_stores_still_are()
    {
        var admin = _app.CreateSignedInClient(OrgRole.Admin, "acme");
        using (var paused = await admin.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { storeId = "uk-shop", until = WebAppFactory.Now.AddHours(2), reason = "Black Friday" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        var sent = new List<string>();
        var notifier = new PausableAlertNotifier(new Recording(sent), _app.Services.GetRequiredService<AlertPauses>(), NullLogger<PausableAlertNotifier>.Instance);

        await notifier.NotifyAsync(Notification("uk-shop", "a1"), Ct);
        await notifier.NotifyAsync(Notification("us-shop", "a2"), Ct);
        Assert.Equal(new[] { "a2" }, sent);

        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alert-pauses", Ct);
        Assert.Equal("uk-shop", Assert.Single(listed.EnumerateArray()).GetProperty("storeId").GetString());

        // Once its time has passed the pause is over by itself: the next alert is sent.
        _app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        await notifier.NotifyAsync(Notification("uk-shop", "a3"), Ct);
        Assert.Equal(new[] { "a2", "a3" }, sent);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/api/tenants/acme/alert-pauses", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Pausing_the_organisation_silences_every_store_and_resuming_brings_them_back()
    {
        var admin = _app.CreateSignedInClient(OrgRole.Admin, "acme");
        (await admin.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { until = WebAppFactory.Now.AddDays(1) }, Ct)).EnsureSuccessStatusCode();
        var sent = new List<string>();
        var notifier = new PausableAlertNotifier(new Recording(sent), _app.Services.GetRequiredService<AlertPauses>(), NullLogger<PausableAlertNotifier>.Instance);

        await notifier.NotifyAsync(Notification("uk-shop", "a1"), Ct);
        await notifier.NotifyAsync(Notification("us-shop", "a2"), Ct);
        Assert.Empty(sent);

        using (var resumed = await admin.DeleteAsync("/api/tenants/acme/alert-pauses", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        }

        await notifier.NotifyAsync(Notification("us-shop", "a3"), Ct);
        Assert.Equal(new[] { "a3" }, sent);
    }

    [Fact]
    public void Every_notifier_the_app_sends_alerts_with_honours_pauses() =>
        Assert.All(_app.Services.GetServices<IAlertNotifier>(), n => Assert.IsType<PausableAlertNotifier>(n));

    [Fact]
    public async Task A_pause_in_the_past_for_an_unknown_store_or_by_a_viewer_is_refused_with_a_problem()
    {
        var admin = _app.CreateSignedInClient(OrgRole.Admin, "acme");
        using var past = await admin.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { until = WebAppFactory.Now.AddMinutes(-1) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        using var tooLong = await admin.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { until = WebAppFactory.Now.AddDays(60) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var unknown = await admin.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { storeId = "nope", until = WebAppFactory.Now.AddHours(1) }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var viewer = _app.CreateSignedInClient(OrgRole.Viewer, "acme");
        using var refused = await viewer.PutAsJsonAsync("/api/tenants/acme/alert-pauses", new { until = WebAppFactory.Now.AddHours(1) }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static AlertNotification Notification(string storeId, string alertId)
    {
        var rule = new AlertRule { Id = "r1", TenantId = "acme", Name = "Quiet shop", Kind = AlertRuleKind.NoOrders };
        var alert = new Alert
        {
            Id = alertId,
            TenantId = "acme",
            StoreId = storeId,
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind,
            Status = AlertStatus.Firing,
            FiredAt = WebAppFactory.Now,
            Message = "No orders for 30 minutes.",
            Figures = new AlertFigures(AlertMetric.Orders, 0, null, null, null, null, 30, WebAppFactory.Now, "GBP", AnomalySeverity.Low),
        };
        return new AlertNotification(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false);
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
