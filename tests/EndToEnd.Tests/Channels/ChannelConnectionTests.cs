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
            var listed = await app.Http.GetStringAsync(new Uri($"api/channels/{ChannelsApp.Shop.TenantId}/{ChannelsApp.Shop.StoreId}", UriKind.Relative),
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
}
