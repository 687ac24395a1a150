using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;
using SalesDash.Web.Push;

namespace SalesDash.EndToEnd.Tests.Pwa;

/// <summary>Its own app, so no other test's orders change the figures this one reads offline.</summary>
public sealed class PwaApp : ServedSalesDash;

/// <summary>On the phone: the installable app, its offline start with the last figures, and push notifications.</summary>
public sealed partial class PwaTests(PwaApp app, ChromiumBrowser chromium) : IClassFixture<PwaApp>
{
    private static readonly float Timeout = 30_000;

    [Fact]
    public async Task The_app_is_installable_with_a_manifest_icons_and_a_service_worker()
    {
        var page = await NewSignedInPageAsync();
        await page.GotoAsync(app.BaseAddress.ToString());
        var href = await page.Locator("link[rel=manifest]").GetAttributeAsync("href");
        Assert.Equal("/manifest.webmanifest", href);
        var manifest = await page.Context.APIRequest.GetAsync(new Uri(app.BaseAddress, href!.TrimStart('/')).ToString());
        Assert.Equal(200, manifest.Status);
        var json = await manifest.JsonAsync();
        Assert.Equal("standalone", json!.Value.GetProperty("display").GetString());
        Assert.Equal("/", json.Value.GetProperty("start_url").GetString());
        var icons = json.Value.GetProperty("icons").EnumerateArray().ToList();
        foreach (var (sizes, purpose) in new[] { ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable") })
        {
            var icon = icons.Single(i => i.GetProperty("sizes").GetString() == sizes && i.GetProperty("purpose").GetString() == purpose);
            var png = await page.Context.APIRequest.GetAsync(new Uri(app.BaseAddress, icon.GetProperty("src").GetString()!.TrimStart('/')).ToString());
            Assert.Equal(200, png.Status);
            var bytes = await png.BodyAsync();
            // The PNG's IHDR says its size: an icon that claims 512 must be 512.
            var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
            Assert.Equal(int.Parse(sizes.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture), width);
        }

        await WaitForServiceWorkerAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Offline_reload_shows_the_shell_and_the_last_figures_with_the_offline_banner()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        // "/" shows the first store; both get the same order, so whichever it is shows 123.45.
        var shopify = new ShopifyWebhookSender(app.Http);
        foreach (var store in TestStore.All)
        {
            using var response = await shopify.PostOrderCreatedAsync(store, new ShopifyOrder(9_101, 123.45m, TimeProvider.System.GetUtcNow()), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var page = await NewSignedInPageAsync();
        await page.GotoAsync(app.BaseAddress.ToString());
        await WaitForServiceWorkerAsync(page);
        // The first load ran before the worker controlled the page; this one goes through it, so its figures are kept.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("tile-gross-revenue-value")).ToHaveAttributeAsync("data-value", "123.45", new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByTestId("offline-banner")).ToHaveCountAsync(0);
        await UntilAsync(page, "async () => (await (await caches.open('salesdash-figures-v1')).keys()).some(r => r.url.endsWith('/tiles'))");

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();

        await Assertions.Expect(page.GetByTestId("offline-banner")).ToHaveTextAsync(OfflineBanner(), new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByTestId("app-nav")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByTestId("tile-gross-revenue-value")).ToHaveAttributeAsync("data-value", "123.45", new() { Timeout = Timeout });

        await page.Context.SetOfflineAsync(false);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("tile-gross-revenue-value")).ToHaveAttributeAsync("data-value", "123.45", new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByTestId("offline-banner")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Enable_push_notifications_asks_permission_on_click_and_stores_this_browsers_subscription()
    {
        var page = await NewSignedInPageAsync();
        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = app.BaseAddress.ToString().TrimEnd('/') });
        // Headless Chromium has no push service: the browser's subscribe is replaced by one that returns what a real
        // browser would (a P-256 key and an auth secret), so everything from the click to the stored row is ours.
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        var p256dh = WebEncoders.Base64UrlEncode([0x04, .. q.X!, .. q.Y!]);
        var auth = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var endpoint = $"https://push.example.com/e2e/{Guid.NewGuid():N}";
        await page.AddInitScriptAsync($$"""
            (() => {
              window.__permissionAsks = 0;
              const ask = Notification.requestPermission.bind(Notification);
              Notification.requestPermission = (...args) => { window.__permissionAsks++; return ask(...args); };
              let current = null;
              PushManager.prototype.getSubscription = async function () { return current; };
              PushManager.prototype.subscribe = async function (options) {
                window.__subscribedWithKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
                current = {
                  endpoint: '{{endpoint}}',
                  options: { applicationServerKey: options.applicationServerKey },
                  toJSON: () => ({ endpoint: '{{endpoint}}', expirationTime: null, keys: { p256dh: '{{p256dh}}', auth: '{{auth}}' } }),
                  unsubscribe: async () => { current = null; return true; },
                };
                return current;
              };
            })();
            """);
        await page.GotoAsync(app.BaseAddress.ToString());
        await WaitForServiceWorkerAsync(page);
        await page.GotoAsync(new Uri(app.BaseAddress, "settings/notifications").ToString());

        var enable = page.GetByRole(AriaRole.Button, new() { Name = "Enable push notifications" });
        await Assertions.Expect(enable).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.Equal(0, await page.EvaluateAsync<int>("window.__permissionAsks"));
        await enable.ClickAsync();

        await Assertions.Expect(page.GetByTestId("push-status")).ToHaveTextAsync("Push notifications are on for this device.", new() { Timeout = Timeout });
        Assert.Equal(1, await page.EvaluateAsync<int>("window.__permissionAsks"));
        var subscriptions = app.Services.GetRequiredService<PushSubscriptions>();
        var stored = (await subscriptions.OfOrganisationAsync("e2e", TestContext.Current.CancellationToken)).Single(s => s.Endpoint == endpoint);
        Assert.Equal(p256dh, stored.P256dh);
        Assert.Equal(auth, stored.Auth);
        // Subscribed with the server's VAPID key, the one the pushes are signed with.
        var serverKey = (await app.Services.GetRequiredService<VapidKeyProvider>().GetAsync(TestContext.Current.CancellationToken)).PublicKey;
        Assert.Equal(Convert.ToBase64String(WebEncoders.Base64UrlDecode(serverKey)), await page.EvaluateAsync<string>("window.__subscribedWithKey"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off push notifications" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enable push notifications" })).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.DoesNotContain(await subscriptions.OfOrganisationAsync("e2e", TestContext.Current.CancellationToken), s => s.Endpoint == endpoint);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_service_worker_shows_an_alert_as_a_notification_that_opens_the_alert()
    {
        var page = await NewSignedInPageAsync();
        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = app.BaseAddress.ToString().TrimEnd('/') });
        await page.GotoAsync(app.BaseAddress.ToString());
        await WaitForServiceWorkerAsync(page);

        // What a push carries (WebPushAlertNotifier's payload), handed to the worker the way a push event would be. The
        // worker answers on the port once the notification is up; reading getNotifications() before then is not only
        // early but harmful: Chromium drops a stored notification that such a read finds not yet displayed.
        var answer = await page.EvaluateAsync<string>("""
            async () => {
              const worker = (await navigator.serviceWorker.ready).active;
              const channel = new MessageChannel();
              const answered = new Promise((resolve) => {
                channel.port1.onmessage = (e) => resolve(e.data.shown ? 'shown' : 'not shown: ' + e.data.error);
              });
              worker.postMessage({ type: 'alert-notification', payload: {
                title: 'Revenue anomaly (revenue-shop)', body: 'Revenue is 67% below normal', tag: 'alert-a1',
                url: '/t/e2e/alerts?alert=a1', alertId: 'a1' } }, [channel.port2]);
              return await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve('no answer within 30 s'), 30000))]);
            }
            """);
        Assert.Equal("shown", answer);
        var shown = await page.EvaluateAsync<string[]>("""
            async () => { const n = (await (await navigator.serviceWorker.ready).getNotifications({ tag: 'alert-a1' }))[0];
              return [n.title, n.body, n.data.url]; }
            """);
        Assert.Equal(["Revenue anomaly (revenue-shop)", "Revenue is 67% below normal", "/t/e2e/alerts?alert=a1"], shown);
        await page.Context.CloseAsync();
    }

    private async Task<IPage> NewSignedInPageAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 412, Height = 915 }, Locale = "en-GB", TimezoneId = "UTC" });
        var page = await context.NewPageAsync();
        await page.SignInAsync(app);
        return page;
    }

    /// <summary>Until the worker is active and controls the page (it claims the page on activation).</summary>
    private static async Task WaitForServiceWorkerAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null", null, new() { Timeout = Timeout });

    /// <summary>
    /// Until an async condition in the page holds (caches and notifications are only reachable through promises, which
    /// WaitForFunctionAsync would take as truthy); fails after the same bound as the other waits.
    /// </summary>
    private static async Task UntilAsync(IPage page, string condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await page.EvaluateAsync<bool>(condition))
        {
            if (clock.Elapsed.TotalMilliseconds > Timeout)
            {
                throw new Xunit.Sdk.XunitException($"Never true within {Timeout / 1000:0} s: {condition}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [GeneratedRegex(@"^Offline — figures as of \d{2}:\d{2}$")]
    private static partial Regex OfflineBanner();
}
