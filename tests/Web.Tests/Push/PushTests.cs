using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Identity;
using SalesDash.Web.Push;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Push;

/// <summary>Web push for alerts: the cluster's VAPID key, subscriptions per person, and pushes a real push service would accept.</summary>
public sealed class PushTests : IAsyncLifetime
{
    private readonly SalesDashHost _app = new(new SalesDashHostOptions
    {
        // The fake push service listens on loopback, which the outbound policy refuses unless allowed.
        Settings = new Dictionary<string, string> { ["Outbound:AllowedHosts:0"] = "127.0.0.1/32" },
    });

    private FakePushService _push = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _push = await FakePushService.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await _push.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task An_alert_reaches_every_browser_of_the_organisations_members_encrypted_and_vapid_signed()
    {
        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var viewer = _app.CreateSignedInClient(OrgRole.Viewer, "acme");
        using var outsider = _app.CreateSignedInClient(OrgRole.Owner, "globex");
        var key = (await owner.GetFromJsonAsync<PushKeyResponse>("/api/push/key", Ct))!.PublicKey;
        await SubscribeAsync(owner, "owner-phone");
        await SubscribeAsync(owner, "owner-laptop");
        await SubscribeAsync(viewer, "viewer-phone");
        await SubscribeAsync(outsider, "outsider-phone");

        var notification = Notification("acme", "uk-shop", inApp: true);
        await PushNotifier().NotifyAsync(notification, Ct);

        Assert.Empty(_push.Refused);
        var received = _push.Received.OrderBy(r => r.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(["owner-laptop", "owner-phone", "viewer-phone"], received.Select(r => r.Path));
        Assert.All(received, r =>
        {
            Assert.Equal(key, r.VapidKey);
            Assert.Equal(_push.Origin, r.Audience);
            Assert.Equal("mailto:alerts@salesdash.invalid", r.Subject);
            Assert.Equal(notification.Text, r.Payload.GetProperty("body").GetString());
            Assert.Equal("Revenue anomaly (uk-shop)", r.Payload.GetProperty("title").GetString());
            Assert.Equal($"/t/acme/alerts?alert={notification.Alert.Id}", r.Payload.GetProperty("url").GetString());
        });
    }

    [Fact]
    public async Task A_rule_without_in_app_alerts_pushes_nothing()
    {
        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        await SubscribeAsync(owner, "phone");

        await PushNotifier().NotifyAsync(Notification("acme", "uk-shop", inApp: false), Ct);

        Assert.Empty(_push.Received);
        Assert.Empty(_push.Refused);
    }

    [Fact]
    public async Task A_subscription_the_push_service_calls_gone_is_forgotten_and_the_others_still_get_the_alert()
    {
        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        await SubscribeAsync(owner, "old-phone");
        await SubscribeAsync(owner, "new-phone");
        _push.Gone["old-phone"] = true;
        var subscriptions = _app.Services.GetRequiredService<PushSubscriptions>();
        Assert.Equal(2, (await subscriptions.OfOrganisationAsync("acme", Ct)).Count);

        await PushNotifier().NotifyAsync(Notification("acme", "uk-shop", inApp: true), Ct);

        Assert.Equal(["new-phone"], _push.Received.Select(r => r.Path));
        Assert.Equal([_push.Endpoint("new-phone")], (await subscriptions.OfOrganisationAsync("acme", Ct)).Select(s => s.Endpoint));
    }

    [Fact]
    public async Task Unusable_subscriptions_are_refused_with_the_field_that_is_wrong()
    {
        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var browser = new FakeBrowser();
        var auth = WebEncoders.Base64UrlEncode(browser.AuthSecret);
        var p256dh = WebEncoders.Base64UrlEncode(browser.PublicKey);
        // A point that is not on the curve: right length and prefix, wrong coordinates.
        byte[] offCurve = [0x04, .. Enumerable.Repeat((byte)7, 64)];

        await AssertRefusedAsync(owner, new { endpoint = "http://push.example.com/x", keys = new { p256dh, auth } }, "endpoint");
        await AssertRefusedAsync(owner, new { endpoint = "ftp://push.example.com/x", keys = new { p256dh, auth } }, "endpoint");
        await AssertRefusedAsync(owner, new { endpoint = "not a url", keys = new { p256dh, auth } }, "endpoint");
        await AssertRefusedAsync(owner, new { endpoint = "https://push.example.com/x", keys = new { p256dh = p256dh[..40], auth } }, "keys.p256dh");
        await AssertRefusedAsync(owner, new { endpoint = "https://push.example.com/x", keys = new { p256dh = WebEncoders.Base64UrlEncode(offCurve), auth } }, "keys.p256dh");
        await AssertRefusedAsync(owner, new { endpoint = "https://push.example.com/x", keys = new { p256dh, auth = auth + "AAAA" } }, "keys.auth");
        await AssertRefusedAsync(owner, new { endpoint = "https://push.example.com/x" }, "keys.auth");

        using var accepted = await owner.PostAsJsonAsync("/api/push/subscriptions", new { endpoint = "https://push.example.com/x", keys = new { p256dh, auth } }, Ct);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        using var again = await owner.PostAsJsonAsync("/api/push/subscriptions", new { endpoint = "https://push.example.com/x", keys = new { p256dh, auth } }, Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Only_signed_in_people_subscribe_and_each_removes_only_their_own()
    {
        using var anonymous = _app.CreateClient();
        using var keyAnswer = await anonymous.GetAsync("/api/push/key", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, keyAnswer.StatusCode);
        using var browser = new FakeBrowser();
        using var refused = await anonymous.PostAsJsonAsync("/api/push/subscriptions", browser.Subscription(_push.Endpoint("a")), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        using var other = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        await SubscribeAsync(owner, "phone");
        using var notTheirs = await DeleteAsync(other, _push.Endpoint("phone"));
        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        Assert.Equal("application/problem+json", notTheirs.Content.Headers.ContentType?.MediaType);
        Assert.Single(await _app.Services.GetRequiredService<PushSubscriptions>().OfOrganisationAsync("acme", Ct));

        using var removed = await DeleteAsync(owner, _push.Endpoint("phone"));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty(await _app.Services.GetRequiredService<PushSubscriptions>().OfOrganisationAsync("acme", Ct));
    }

    [Fact]
    public async Task The_generated_vapid_key_is_kept_in_the_app_database_so_every_node_and_restart_signs_with_it()
    {
        using var owner = _app.CreateSignedInClient(OrgRole.Owner, "acme");
        var first = (await owner.GetFromJsonAsync<PushKeyResponse>("/api/push/key", Ct))!.PublicKey;
        Assert.Equal(65, WebEncoders.Base64UrlDecode(first).Length);

        // Another node: its own provider over the same database reads the stored pair instead of making one.
        var services = _app.Services;
        var another = ActivatorUtilities.CreateInstance<VapidKeyProvider>(services);
        var theirs = await another.GetAsync(Ct);
        Assert.Equal(first, theirs.PublicKey);
        Assert.Null(VapidKeys.WhyInvalid(theirs.PublicKey, theirs.PrivateKey));
    }

    [Fact]
    public void Configured_vapid_keys_must_be_a_matching_pair()
    {
        var a = VapidKeys.Generate();
        var b = VapidKeys.Generate();
        Assert.Null(new PushOptions { VapidPublicKey = a.PublicKey, VapidPrivateKey = a.PrivateKey }.Problem());
        Assert.Contains("does not belong", new PushOptions { VapidPublicKey = a.PublicKey, VapidPrivateKey = b.PrivateKey }.Problem(), StringComparison.Ordinal);
        Assert.Contains("go together", new PushOptions { VapidPublicKey = a.PublicKey }.Problem(), StringComparison.Ordinal);
        Assert.Contains("mailto:", new PushOptions { Subject = "alerts@example.com" }.Problem(), StringComparison.Ordinal);
    }

    private IAlertNotifier PushNotifier() => _app.Services.GetServices<IAlertNotifier>().Single(n => n.Channel == "push");

    private async Task SubscribeAsync(HttpClient client, string name)
    {
        var browser = new FakeBrowser();
        Assert.True(_push.Browsers.TryAdd(name, browser));
        using var response = await client.PostAsJsonAsync("/api/push/subscriptions", browser.Subscription(_push.Endpoint(name)), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient client, string endpoint) =>
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/push/subscriptions") { Content = JsonContent.Create(new { endpoint }) }, Ct);

    private static async Task AssertRefusedAsync(HttpClient client, object body, string field)
    {
        using var response = await client.PostAsJsonAsync("/api/push/subscriptions", body, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} not among {problem}");
    }

    private static AlertNotification Notification(string tenantId, string storeId, bool inApp)
    {
        var rule = new AlertRule { Id = "r1", TenantId = tenantId, Name = "Revenue anomaly", Kind = AlertRuleKind.Anomaly, InApp = inApp };
        var figures = new AlertFigures(AlertMetric.Revenue, 412.50m, 1250.00m, 900.00m, 1600.00m, -0.67m, 15,
            new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.Zero), "GBP", AnomalySeverity.High);
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString("N"),
            TenantId = tenantId,
            StoreId = storeId,
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind,
            Status = AlertStatus.Firing,
            FiredAt = figures.Minute.AddMinutes(1),
            Message = AlertText.Fired(rule, figures),
            Figures = figures,
        };
        return new AlertNotification(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false);
    }
}
