using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Reports;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Stores;

/// <summary>An Admin renames a store and moves its time zone on the organisation's settings page, and rotates its webhook secret there.</summary>
public sealed class StoreSettingsPageTests(ChromiumBrowser chromium, ReportsPageApp app) : IClassFixture<ReportsPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Admin_renames_a_store_changes_its_zone_and_rotates_its_webhook_secret_from_the_settings_page()
    {
        var admin = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Admin, ReportsPageApp.Shop.TenantId);
        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, admin);
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/settings").ToString());
        var stores = page.GetByTestId("org-stores");
        await Assertions.Expect(stores).ToContainTextAsync("Report Shop", new() { Timeout = (float)Timeout.TotalMilliseconds });

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit Report Shop" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Edit rep-shop" });
        await Assertions.Expect(form).ToContainTextAsync("re-buckets past figures into the new zone's days");
        await form.GetByLabel("Store name").FillAsync("Report Shop Europe");
        await form.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save store" }).ClickAsync();
        await Assertions.Expect(stores.Locator("tr", new() { HasText = "rep-shop" })).ToContainTextAsync("Report Shop Europe", new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(stores.Locator("tr", new() { HasText = "rep-shop" })).ToContainTextAsync("Europe/Berlin");

        // After a reload too: the change is the server's, not the page's.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("org-stores")).ToContainTextAsync("Report Shop Europe", new() { Timeout = (float)Timeout.TotalMilliseconds });

        // A secret set in configuration is configuration's to change: the page says so rather than rotating it for one run.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the webhook secret of Report Shop Europe" }).ClickAsync();
        await Assertions.Expect(page.Locator(".org__error")).ToContainTextAsync("change it there", new() { Timeout = (float)Timeout.TotalMilliseconds });

        // A store connected through the app has its secret rotated here, shown once.
        const string oldSecret = "side-shop-secret-0123456789";
        await app.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(new StoreProfile(new StoreRef("rep", "side-shop"), "Side Shop", SalesChannel.Shopify,
            "side-shop.myshopify.com", "EUR", "UTC", oldSecret), TestContext.Current.CancellationToken);
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the webhook secret of Side Shop" }).ClickAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });
        var rotated = page.GetByTestId("rotated-secret");
        await Assertions.Expect(rotated).ToContainTextAsync("New webhook secret of side-shop", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var secret = await rotated.Locator("code").InnerTextAsync();
        Assert.True(secret.Length >= 16, secret);
        Assert.NotEqual(oldSecret, secret);
    }
}
