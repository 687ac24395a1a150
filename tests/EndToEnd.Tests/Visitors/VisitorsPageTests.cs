using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Channels;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Visitors;

/// <summary>
/// A store of its own with Google's endpoints at <see cref="FakeGoogleAnalytics"/>, and GA4's realtime figures read
/// every second (the production default is a minute) so the test waits on the first reading, not on the clock.
/// </summary>
public sealed class VisitorsApp : ServedSalesDash
{
    public static readonly TestStore Shop = new("vis", "vis-shop", "Visitors Shop", "vis-shop.myshopify.com", "USD", "UTC", $"shpss_vis_{Guid.NewGuid():N}");

    public FakeGoogleAnalytics Analytics { get; } = new();

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted()],
        Settings = new Dictionary<string, string>
        {
            ["Channels:SchedulerEnabled"] = "false",
            ["Visitors:PollInterval"] = "00:00:01",
            ["Outbound:AllowedHosts:0"] = "127.0.0.1",
            ["Channels:Endpoints:GoogleToken"] = Analytics.TokenEndpoint.AbsoluteUri,
            ["Channels:Endpoints:GoogleAnalyticsData"] = Analytics.BaseAddress.AbsoluteUri,
        },
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Analytics.DisposeAsync();
    }
}

/// <summary>A person connects Google Analytics and sees visitors from GA4's realtime report on the live page, with where they come from.</summary>
public sealed class VisitorsPageTests(VisitorsApp app, ChromiumBrowser browser) : IClassFixture<VisitorsApp>
{
    private static readonly float Patient = (float)DashboardPage.DefaultTimeout.TotalMilliseconds;

    [Fact]
    public async Task Visitors_from_the_GA4_realtime_report_show_on_the_live_page_once_analytics_is_connected()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await browser.NewPageAsync();
        try
        {
            await page.SignInAsync(app);
            // Before analytics is connected the live page has no visitors section at all.
            await page.GotoAsync(new Uri(app.BaseAddress, VisitorsApp.Shop.DashboardPath.TrimStart('/')).ToString());
            await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live", new() { Timeout = Patient });
            await Assertions.Expect(page.GetByTestId("visitors")).ToHaveCountAsync(0);

            await page.GotoAsync(new Uri(app.BaseAddress, $"stores/{VisitorsApp.Shop.TenantId}/{VisitorsApp.Shop.StoreId}/channels").ToString());
            var card = page.GetByTestId("channel-googleanalytics");
            await card.Locator("input[name='settings.propertyId']").FillAsync(FakeGoogleAnalytics.PropertyId);
            await card.Locator("input[name='credentials.clientId']").FillAsync("e2e.apps.googleusercontent.com");
            await card.Locator("input[name='credentials.clientSecret']").FillAsync("e2e-secret");
            await card.Locator("input[name='credentials.refreshToken']").FillAsync("1//e2e-refresh");
            await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(card).ToContainTextAsync("Saved.", new() { Timeout = Patient });

            // The server reads GA4 on its own schedule: wait for that reading (an event), then open the page.
            var visitors = new Uri($"api/tenants/{VisitorsApp.Shop.TenantId}/stores/{VisitorsApp.Shop.StoreId}/visitors", UriKind.Relative);
            for (var attempt = 0; ; attempt++)
            {
                var answer = await app.Http.GetFromJsonAsync<JsonElement>(visitors, ct);
                Assert.True(answer.GetProperty("connected").GetBoolean());
                if (answer.GetProperty("updatedAt").ValueKind == JsonValueKind.String)
                {
                    break;
                }

                Assert.Equal(JsonValueKind.Null, answer.GetProperty("error").ValueKind);
                Assert.True(attempt < 150, "GA4 was never read: the ga4-realtime job did not run.");
                await Task.Delay(200, ct);
            }

            await page.GotoAsync(new Uri(app.BaseAddress, VisitorsApp.Shop.DashboardPath.TrimStart('/')).ToString());
            await Assertions.Expect(page.GetByTestId("tile-visitors-30-value")).ToHaveTextAsync(FakeGoogleAnalytics.RealtimeLast30.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = Patient });
            await Assertions.Expect(page.GetByTestId("tile-visitors-5-value")).ToHaveTextAsync(FakeGoogleAnalytics.RealtimeLast5.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.GetByTestId("tile-sessions-today-value")).ToHaveTextAsync(FakeGoogleAnalytics.SessionsToday.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // No orders yet today: 0 of 40 sessions converted.
            await Assertions.Expect(page.GetByTestId("tile-conversion-value")).ToHaveTextAsync("0.0%");
            await Assertions.Expect(page.GetByTestId("visitors-source")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Google Analytics 4, realtime, updated \\d\\d:\\d\\d$"));
            await Assertions.Expect(page.GetByTestId("visitor-sources").Locator("tr[data-source='google']")).ToContainTextAsync("75%");
            await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "visitors.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
