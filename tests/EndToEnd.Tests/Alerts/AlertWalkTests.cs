using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Shopify;
using SalesDash.Web.Alerts;
using SalesDash.Web.Identity;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Alerts;

/// <summary>
/// A person sets and receives alerts in the browser (issue 16 point 8): a rule made from a widget toasts on every page
/// they have open, and a pause keeps the toasts away until they resume. Minutes close when the test moves the app's
/// clock (<see cref="AlertWalkApp"/>); everything else is waited for on the page or on the server, never for a time.
/// </summary>
public sealed class AlertWalkTests(AlertWalkApp app, ChromiumBrowser browser) : IClassFixture<AlertWalkApp>
{
    private static readonly float Patient = (float)DashboardPage.DefaultTimeout.TotalMilliseconds;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ShopifyWebhookSender shopify = new(app.Http);

    [Fact]
    public async Task An_alert_made_from_a_live_tile_toasts_on_the_live_page_and_on_history_over_one_hub_connection_per_page()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = AlertWalkApp.WidgetShop;
        var live = await browser.NewPageAsync();
        await using var _ = live.Context;
        var hubSockets = new HubSockets();
        live.WebSocket += hubSockets.Opened;
        await live.SignInAsync(app);
        await live.GotoAsync(Url(store.DashboardPath));
        await Expect(live.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });

        // "Alert me when this…" on the Orders tile opens the rule editor, prefilled with the tile's figure and store.
        var tile = live.GetByTestId("tile-orders");
        await tile.GetByLabel("More for Orders").ClickAsync();
        await tile.GetByRole(AriaRole.Link, new() { Name = "Alert me when this…" }).ClickAsync();
        var editor = live.GetByTestId("rule-editor");
        var name = $"Orders ({store.Name})";
        await Expect(Field(editor, "Name")).ToHaveValueAsync(name, new() { Timeout = Patient });
        await Expect(Field(editor, "Metric")).ToHaveValueAsync("Orders");
        await Expect(Field(editor, "Store")).ToHaveValueAsync(store.StoreId);
        await Field(editor, "Direction").SelectOptionAsync("Above");
        await Field(editor, "Level").FillAsync("0");
        await Field(editor, "Over the last (minutes)").FillAsync("1");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await Expect(live.GetByTestId("alert-rules")).ToContainTextAsync(name, new() { Timeout = Patient });

        // Back on the live page, and History open in a second tab.
        hubSockets.StartCounting();
        await live.GotoAsync(Url(store.DashboardPath));
        await Expect(live.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });
        var history = await live.Context.NewPageAsync();
        await history.GotoAsync(Url($"stores/{store.TenantId}/{store.StoreId}/history"));
        foreach (var page in new[] { live, history })
        {
            await Expect(page.GetByTestId("alert-toasts")).ToHaveAttributeAsync("data-state", "listening", new() { Timeout = Patient });
        }

        // Shopify delivers an order; once the page shows it, its minute closes and the rule fires.
        await PostOrderAsync(store, 7_001, ct);
        await Expect(live.GetByTestId("tile-orders-value")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Patient });
        app.CloseMinute();

        foreach (var page in new[] { live, history })
        {
            await Expect(FiringToast(page, name)).ToBeVisibleAsync(new() { Timeout = Patient });
        }

        // The live page's tiles and its toasts came over one hub connection: never two open at once (a reconnect under
        // load may replace the socket, which is still one connection per page).
        Assert.Equal(1, hubSockets.MostOpenAtOnce);

        // The toast leads to the alert on the Alerts page.
        await FiringToast(history, name).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(history.GetByTestId("alerts-firing")).ToContainTextAsync(name, new() { Timeout = Patient });
    }

    [Fact]
    public async Task Paused_alerts_fire_without_a_toast_and_after_resume_the_next_news_toasts_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = AlertWalkApp.PausedShop;
        // An owner of this organisation only, so no other walk's alert can toast on their pages.
        var owner = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Owner, store.TenantId);
        var name = $"Any order ({store.Name})";
        var rule = await CreateRuleAsync(store, new AlertRuleRequest(name, "Threshold", "Orders", "Above", 0m, WindowMinutes: 1, FrequencyMinutes: 1,
            StoreId: store.StoreId), ct);

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.SignInAsync(app.BaseAddress, owner);

        // "Pause all alerts until" two hours from now (the app's clock), for a sale.
        await page.GotoAsync(Url($"t/{store.TenantId}/alerts"));
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Pause all alerts until" });
        var until = app.Clock.GetUtcNow().AddHours(2).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        await form.GetByLabel("until").FillAsync(until);
        await form.GetByLabel("because").FillAsync("Flash sale");
        await form.GetByRole(AriaRole.Button, new() { Name = "Pause all alerts" }).ClickAsync();
        await Expect(page.GetByTestId("pause-organisation")).ToContainTextAsync("Every store paused until", new() { Timeout = Patient });

        // On the live page, an order that fires the rule arrives and its minute closes.
        await page.GotoAsync(Url(store.DashboardPath));
        await Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });
        await Expect(page.GetByTestId("alert-toasts")).ToHaveAttributeAsync("data-state", "listening", new() { Timeout = Patient });
        await PostOrderAsync(store, 8_001, ct);
        await Expect(page.GetByTestId("tile-orders-value")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Patient });
        app.CloseMinute();

        // The server: the rule fired (the alert is listed) and the toast channel held it back because of the pause.
        var alert = await EventuallyAsync(async () => (await AlertsAsync(store, ct)).SingleOrDefault(a => a.RuleId == rule.Id), "the rule never fired", ct);
        Assert.Equal("Firing", alert.Status);
        await EventuallyAsync(() => Task.FromResult<object?>(app.Held.WasHeld(alert.Id, "in-app") ? alert : null), "the toast channel never decided on the alert", ct);

        // The page: a later order shows on the tiles, and no toast arrived before it (the server sent none to send).
        await PostOrderAsync(store, 8_002, ct);
        await Expect(page.GetByTestId("tile-orders-value")).ToHaveAttributeAsync("data-value", "2", new() { Timeout = Patient });
        await Expect(page.Locator(".alert-toast")).ToHaveCountAsync(0);

        // The Alerts page says alerts are paused and lists what fired meanwhile; "Resume now" ends the pause.
        await page.GotoAsync(Url($"t/{store.TenantId}/alerts"));
        var pause = page.GetByTestId("pause-organisation");
        await Expect(pause).ToContainTextAsync("Every store paused until", new() { Timeout = Patient });
        await Expect(pause).ToContainTextAsync("(Flash sale)");
        await Expect(page.GetByTestId("alerts-firing").GetByTestId($"alert-{alert.Id}")).ToBeVisibleAsync();
        await pause.GetByRole(AriaRole.Button, new() { Name = "Resume now" }).ClickAsync();
        await Expect(page.GetByText("Alerts are not paused.")).ToBeVisibleAsync(new() { Timeout = Patient });
        Assert.Empty(await PausesAsync(store, ct));

        // After the resume, news toasts again: five quiet minutes resolve the alert...
        await Expect(page.GetByTestId("alert-toasts")).ToHaveAttributeAsync("data-state", "listening", new() { Timeout = Patient });
        for (var minute = 0; minute < 6; minute++)
        {
            app.CloseMinute();
        }

        await Expect(page.Locator(".alert-toast--resolved", new() { HasText = $"Resolved: {name}" })).ToBeVisibleAsync(new() { Timeout = Patient });

        // ...and the next order fires it again, with a toast on the live page.
        await page.GotoAsync(Url(store.DashboardPath));
        await Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });
        await Expect(page.GetByTestId("alert-toasts")).ToHaveAttributeAsync("data-state", "listening", new() { Timeout = Patient });
        await PostOrderAsync(store, 8_003, ct);
        await Expect(page.GetByTestId("tile-orders-value")).ToHaveAttributeAsync("data-value", "3", new() { Timeout = Patient });
        app.CloseMinute();
        await Expect(FiringToast(page, name)).ToBeVisibleAsync(new() { Timeout = Patient });
        var again = (await AlertsAsync(store, ct)).Where(a => a.RuleId == rule.Id).ToList();
        Assert.Equal(["Firing", "Resolved"], again.Select(a => a.Status).Order(StringComparer.Ordinal));
        Assert.False(app.Held.WasHeld(again.Single(a => a.Status == "Firing").Id, "in-app"));
    }

    [Fact]
    public async Task Clicking_an_alerts_system_notification_brings_the_tab_to_the_alert()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = AlertWalkApp.NotifyShop;
        var owner = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Owner, store.TenantId);
        var name = $"Any order ({store.Name})";
        var rule = await CreateRuleAsync(store, new AlertRuleRequest(name, "Threshold", "Orders", "Above", 0m, WindowMinutes: 1, FrequencyMinutes: 1,
            StoreId: store.StoreId), ct);

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = app.BaseAddress.ToString().TrimEnd('/') });
        // Headless Chromium shows no system notifications and so can never click one. The page's Notification is the
        // browser's own, extended only to keep each one it makes, so the test can click what the app really created:
        // the click reaches the app's own handler exactly as an operating system's click would.
        await page.AddInitScriptAsync("""
            (() => {
              const Native = window.Notification;
              window.__notifications = [];
              window.Notification = class extends Native {
                constructor(title, options) { super(title, options); this.closedByApp = false; window.__notifications.push(this); }
                close() { this.closedByApp = true; super.close(); }
              };
            })();
            """);
        await page.SignInAsync(app.BaseAddress, owner);

        // The person turns browser notifications on from the Alerts page, the one place that asks.
        await page.GotoAsync(Url($"t/{store.TenantId}/alerts"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on browser notifications" }).ClickAsync(new() { Timeout = Patient });
        await Expect(page.GetByTestId("browser-notifications")).ToContainTextAsync("Browser notifications are on in this browser.", new() { Timeout = Patient });

        // On the live page, an order fires the rule.
        await page.GotoAsync(Url(store.DashboardPath));
        await Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });
        await Expect(page.GetByTestId("alert-toasts")).ToHaveAttributeAsync("data-state", "listening", new() { Timeout = Patient });
        await PostOrderAsync(store, 9_001, ct);
        await Expect(page.GetByTestId("tile-orders-value")).ToHaveAttributeAsync("data-value", "1", new() { Timeout = Patient });
        app.CloseMinute();
        await Expect(FiringToast(page, name)).ToBeVisibleAsync(new() { Timeout = Patient });
        await page.WaitForFunctionAsync("() => window.__notifications.length > 0", null, new() { Timeout = Patient });
        var shown = await page.EvaluateAsync<string[]>("() => window.__notifications.map(n => n.title)");
        Assert.Equal([name], shown);
        var alert = (await AlertsAsync(store, ct)).Single(a => a.RuleId == rule.Id);

        // The person clicks the notification: the tab goes to the alert on the Alerts page, and the notification closes.
        await page.EvaluateAsync("() => window.__notifications[0].dispatchEvent(new Event('click'))");
        await Expect(page).ToHaveURLAsync(Url($"t/{store.TenantId}/alerts?alert={alert.Id}"), new() { Timeout = Patient });
        await Expect(page.GetByTestId("alerts-firing").GetByTestId($"alert-{alert.Id}")).ToBeVisibleAsync(new() { Timeout = Patient });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notifications[0].closedByApp"));
    }

    /// <summary>The page's WebSockets to /hubs/...: how many were open at once since counting started.</summary>
    private sealed class HubSockets
    {
        private readonly Lock _gate = new();
        private int _generation;
        private int _open;
        private int _most;

        public int MostOpenAtOnce
        {
            get
            {
                lock (_gate)
                {
                    return _most;
                }
            }
        }

        /// <summary>From now on (a page load): sockets of the page before no longer count, even if they close later.</summary>
        public void StartCounting()
        {
            lock (_gate)
            {
                _generation++;
                _open = 0;
                _most = 0;
            }
        }

        public void Opened(object? sender, IWebSocket socket)
        {
            if (!socket.Url.Contains("/hubs/", StringComparison.Ordinal))
            {
                return;
            }

            int generation;
            lock (_gate)
            {
                generation = _generation;
                _most = Math.Max(_most, ++_open);
            }

            socket.Close += (_, _) =>
            {
                lock (_gate)
                {
                    if (generation == _generation)
                    {
                        _open--;
                    }
                }
            };
        }
    }

    /// <summary>
    /// The editor's control whose label starts with <paramref name="label"/>: a plain label match would also find
    /// "Level" in the kind list's "above or below a level" and "Store" in the channel list's "OnlineStore".
    /// </summary>
    private static ILocator Field(ILocator form, string label) =>
        form.GetByLabel(new Regex($"^{Regex.Escape(label)}", RegexOptions.None, TimeSpan.FromSeconds(1)));

    private static ILocator FiringToast(IPage page, string ruleName) =>
        page.Locator(".alert-toast--firing", new() { HasText = ruleName });

    private string Url(string path) => new Uri(app.BaseAddress, path.TrimStart('/')).ToString();

    private async Task PostOrderAsync(TestStore store, long id, CancellationToken ct)
    {
        using var response = await shopify.PostOrderCreatedAsync(store, new ShopifyOrder(id, 25.00m, app.Clock.GetUtcNow()), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Order {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    private async Task<AlertRuleView> CreateRuleAsync(TestStore store, AlertRuleRequest request, CancellationToken ct)
    {
        using var response = await app.Http.PostAsJsonAsync($"api/tenants/{store.TenantId}/alert-rules", request, Json, ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync<AlertRuleView>(Json, ct))!;
    }

    private async Task<AlertView[]> AlertsAsync(TestStore store, CancellationToken ct) =>
        (await app.Http.GetFromJsonAsync<AlertView[]>($"api/tenants/{store.TenantId}/alerts", Json, ct))!;

    private async Task<JsonElement[]> PausesAsync(TestStore store, CancellationToken ct) =>
        (await app.Http.GetFromJsonAsync<JsonElement[]>($"api/tenants/{store.TenantId}/alert-pauses", Json, ct))!;

    /// <summary>
    /// Asks until the server has it. The bound only turns a hang into a failure that says what never happened; the
    /// app's clock does not move meanwhile, so waiting longer can only find the same outcome.
    /// </summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string never, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100, ct);
        }

        throw new Xunit.Sdk.XunitException($"After a minute of asking, {never}.");
    }
}
