using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>Connecting a channel as a person does it: fill the form, test, sync, read the status, then fix or break the key.</summary>
public sealed class ChannelConnectionTests(ChannelsApp app, ChromiumBrowser browser) : IClassFixture<ChannelsApp>
{
    private static readonly LocatorAssertionsToContainTextOptions Patient = new() { Timeout = (float)DashboardPage.DefaultTimeout.TotalMilliseconds };

    [Fact]
    public async Task Facebook_ads_connects_tests_syncs_and_shows_a_rejected_key()
    {
        var page = await browser.NewPageAsync();
        try
        {
            await page.SignInAsync(app);
            var response = await page.GotoAsync(new Uri(app.BaseAddress, app.ChannelsPath.TrimStart('/')).ToString());
            Assert.True(response?.Ok, $"{app.ChannelsPath} answered {response?.Status}");

            var card = page.GetByTestId("channel-facebookads");
            await card.Locator("input[name='settings.adAccountId']").FillAsync(FakeGraphApi.AccountId);
            await card.Locator("input[name='credentials.accessToken']").FillAsync(FakeGraphApi.GoodToken);
            await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(card).ToContainTextAsync("Saved.", Patient);

            // The secret is never sent back: the input is empty and says it is saved.
            var token = card.Locator("input[name='credentials.accessToken']");
            await Assertions.Expect(token).ToHaveValueAsync(string.Empty);
            await Assertions.Expect(token).ToHaveAttributeAsync("placeholder", "saved");
            await Assertions.Expect(token).ToHaveAttributeAsync("type", "password");
            var listed = await app.Http.GetStringAsync(new Uri($"api/tenants/{ChannelsApp.Shop.TenantId}/stores/{ChannelsApp.Shop.StoreId}/channels", UriKind.Relative),
                TestContext.Current.CancellationToken);
            Assert.DoesNotContain(FakeGraphApi.GoodToken, listed, StringComparison.Ordinal);

            await card.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("channel-facebookads-check"))
                .ToContainTextAsync($"Connection OK: Connected to ad account '{FakeGraphApi.AccountName}' (USD).", Patient);

            await card.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
            var status = page.GetByTestId("channel-facebookads-status");
            await Assertions.Expect(status).ToContainTextAsync(new Regex("StateOK"), Patient);
            await Assertions.Expect(status).ToContainTextAsync(new Regex("Events ingested1$|Events ingested1Next"), Patient);
            await Assertions.Expect(status).ToContainTextAsync("Last errorNone", Patient);

            // The spend the sync brought in is in the channel comparison once the page is opened again.
            await page.ReloadAsync();
            await Assertions.Expect(page.GetByTestId("insight-row-FacebookAds")).ToContainTextAsync("$12.34", Patient);

            card = page.GetByTestId("channel-facebookads");
            await card.Locator("input[name='credentials.accessToken']").FillAsync("EAAB-revoked-token");
            await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(card).ToContainTextAsync("Saved.", Patient);
            await card.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
            var check = page.GetByTestId("channel-facebookads-check");
            await Assertions.Expect(check).ToContainTextAsync("Connection failed", Patient);
            await Assertions.Expect(check).ToContainTextAsync("refused the credentials", Patient);

            await card.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
            await Assertions.Expect(status).ToContainTextAsync("StateCredentials rejected", Patient);
            await Assertions.Expect(status).ToContainTextAsync("Invalid OAuth access token", Patient);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Shipping_webhooks_show_parcels_in_transit_delivered_and_the_time_to_deliver()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = $"api/tenants/{ChannelsApp.Shop.TenantId}/stores/{ChannelsApp.Shop.StoreId}/channels";
        using (var connect = await app.Http.PutAsJsonAsync(new Uri($"{store}/shipping", UriKind.Relative),
            new { enabled = true, credentials = new Dictionary<string, string> { ["webhookSecret"] = "e2e-easypost-secret" } }, ct))
        {
            connect.EnsureSuccessStatusCode();
        }

        var now = DateTimeOffset.UtcNow;
        string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string[] events =
        [
            $$$"""{"description":"tracker.updated","id":"evt_e2e_1","object":"Event","updated_at":"{{{Iso(now.AddHours(-2))}}}","result":{"id":"trk_1","object":"Tracker","tracking_code":"1Z-E2E-DELIVERED","status":"delivered","updated_at":"{{{Iso(now.AddHours(-2))}}}","carrier":"UPS","tracking_details":[{"status":"in_transit","datetime":"{{{Iso(now.AddHours(-62))}}}"},{"status":"delivered","datetime":"{{{Iso(now.AddHours(-2))}}}"}]}}""",
            $$$"""{"description":"tracker.updated","id":"evt_e2e_2","object":"Event","updated_at":"{{{Iso(now.AddHours(-1))}}}","result":{"id":"trk_2","object":"Tracker","tracking_code":"1Z-E2E-MOVING","status":"in_transit","updated_at":"{{{Iso(now.AddHours(-1))}}}","carrier":"UPS","tracking_details":[]}}""",
        ];
        foreach (var json in events)
        {
            var body = Encoding.UTF8.GetBytes(json);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"webhooks/shipping/easypost/{ChannelsApp.Shop.TenantId}/{ChannelsApp.Shop.StoreId}", UriKind.Relative))
            {
                Content = new ByteArrayContent(body),
            };
            request.Headers.TryAddWithoutValidation("X-Hmac-Signature", "hmac-sha256-hex=" + Convert.ToHexStringLower(HMACSHA256.HashData("e2e-easypost-secret"u8, body)));
            using var response = await app.Http.SendAsync(request, ct);
            Assert.True(response.IsSuccessStatusCode, $"EasyPost webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        var page = await browser.NewPageAsync();
        try
        {
            await page.SignInAsync(app);
            var response = await page.GotoAsync(new Uri(app.BaseAddress, app.ChannelsPath.TrimStart('/')).ToString());
            Assert.True(response?.Ok, $"{app.ChannelsPath} answered {response?.Status}");

            // The panel re-reads every few seconds, so the parcels appear once the history writer has flushed them.
            await Assertions.Expect(page.GetByTestId("parcel-1Z-E2E-DELIVERED")).ToContainTextAsync("2.5 days", Patient);
            await Assertions.Expect(page.GetByTestId("parcel-1Z-E2E-MOVING")).ToContainTextAsync("In transit", Patient);
            await Assertions.Expect(page.GetByTestId("shipments-in-transit")).ToContainTextAsync("1", Patient);
            await Assertions.Expect(page.GetByTestId("shipments-delivered")).ToContainTextAsync("1", Patient);
            await Assertions.Expect(page.GetByTestId("shipments-average-days")).ToContainTextAsync("2.5 days", Patient);
            Directory.CreateDirectory(RepositoryRoot.Combine("artifacts", "screenshots"));
            await page.GetByTestId("shipments").ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "channels-shipments.png") });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Google_analytics_sync_shows_users_and_conversion_rate_per_source_in_the_comparison()
    {
        var page = await browser.NewPageAsync();
        try
        {
            await page.SignInAsync(app);
            var response = await page.GotoAsync(new Uri(app.BaseAddress, app.ChannelsPath.TrimStart('/')).ToString());
            Assert.True(response?.Ok, $"{app.ChannelsPath} answered {response?.Status}");

            var card = page.GetByTestId("channel-googleanalytics");
            await card.Locator("input[name='settings.propertyId']").FillAsync(FakeGoogleAnalytics.PropertyId);
            await card.Locator("input[name='credentials.clientId']").FillAsync("e2e.apps.googleusercontent.com");
            await card.Locator("input[name='credentials.clientSecret']").FillAsync("e2e-secret");
            await card.Locator("input[name='credentials.refreshToken']").FillAsync("1//e2e-refresh");
            await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(card).ToContainTextAsync("Saved.", Patient);
            await card.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("channel-googleanalytics-status")).ToContainTextAsync(new Regex("StateOK"), Patient);

            // google / cpc is the GoogleAds touch: 120 users, 150 sessions, 6 key events = 4.00 %.
            var ads = page.GetByTestId("traffic-row-GoogleAds");
            await Assertions.Expect(ads).ToContainTextAsync("120", Patient);
            await Assertions.Expect(ads).ToContainTextAsync("4.00%", Patient);
            await Assertions.Expect(page.GetByTestId("traffic-row-direct")).ToContainTextAsync("2.50%", Patient);
            Directory.CreateDirectory(RepositoryRoot.Combine("artifacts", "screenshots"));
            await page.GetByTestId("insights-traffic").ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "channels-traffic.png") });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
