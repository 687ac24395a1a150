using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Reports;
using SalesDash.EndToEnd.Tests.Shopify;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Stores;

/// <summary>
/// On the settings page an Admin disconnects a store (it shows as Disconnected), reconnects it (a new secret, shown
/// once), and deletes another only after typing its exact name, after which it is gone from the list, also on reload.
/// </summary>
public sealed class StoreLifecyclePageTests(ChromiumBrowser chromium, ReportsPageApp app) : IClassFixture<ReportsPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static LocatorAssertionsToContainTextOptions Patient => new() { Timeout = (float)Timeout.TotalMilliseconds };

    [Fact]
    public async Task Admin_disconnects_reconnects_and_deletes_a_store_after_typing_its_name()
    {
        var directory = app.Services.GetRequiredService<IStoreDirectory>();
        await directory.UpsertAsync(new StoreProfile(new StoreRef("rep", "paused-shop"), "Paused Shop", SalesChannel.Shopify,
            "paused-shop.myshopify.com", "GBP", "Europe/London", "paused-shop-secret-0123456789"), TestContext.Current.CancellationToken);
        await directory.UpsertAsync(new StoreProfile(new StoreRef("rep", "gone-shop"), "Gone Shop", SalesChannel.Shopify,
            "gone-shop.myshopify.com", "GBP", "Europe/London", "gone-shop-secret-0123456789"), TestContext.Current.CancellationToken);
        var admin = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Admin, ReportsPageApp.Shop.TenantId);
        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, admin);
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/settings").ToString());
        var stores = page.GetByTestId("org-stores");
        await Assertions.Expect(stores).ToContainTextAsync("Gone Shop", Patient);

        // Disconnect, then reconnect with a new secret.
        await page.GetByRole(AriaRole.Button, new() { Name = "Disconnect Paused Shop" }).ClickAsync();
        await Assertions.Expect(stores.Locator("tr", new() { HasText = "paused-shop" })).ToContainTextAsync("Disconnected", Patient);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reconnect Paused Shop" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("reconnected-store")).ToContainTextAsync("paused-shop is connected again", Patient);
        Assert.NotEqual("paused-shop-secret-0123456789", await page.GetByTestId("reconnected-store").Locator("code").InnerTextAsync());
        await Assertions.Expect(stores.Locator("tr", new() { HasText = "paused-shop" })).ToContainTextAsync("Connected", Patient);

        // Delete: the button stays disabled until the exact name is typed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Gone Shop" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Delete gone-shop" });
        var confirm = form.GetByRole(AriaRole.Button, new() { Name = "Delete store and data" });
        await form.GetByLabel("Type the store's name (Gone Shop) to confirm").FillAsync("gone shop");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await form.GetByLabel("Type the store's name (Gone Shop) to confirm").FillAsync("Gone Shop");
        await confirm.ClickAsync();
        await Assertions.Expect(page.GetByTestId("deleted-store")).ToContainTextAsync("Gone Shop and all its data were deleted", Patient);
        await Assertions.Expect(stores).Not.ToContainTextAsync("gone-shop", new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(stores).ToContainTextAsync("Paused Shop");

        // The server's list, not the page's.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("org-stores")).ToContainTextAsync("Paused Shop", Patient);
        await Assertions.Expect(page.GetByTestId("org-stores")).Not.ToContainTextAsync("gone-shop");
    }

    /// <summary>The organisation overview shows the total in the reporting currency, and it moves when a store takes an order.</summary>
    [Fact]
    public async Task Overview_page_shows_the_total_and_it_changes_after_a_webhook()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var live = new TestStore("rep", "live-shop", "Live Shop", "live-shop.myshopify.com", "USD", "UTC", "live-shop-secret-0123456789");
        await app.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(new StoreProfile(live.Ref, live.Name, SalesChannel.Shopify, live.ShopDomain,
            live.Currency, live.TimeZone, live.WebhookSecret), ct);
        var viewer = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Viewer, ReportsPageApp.Shop.TenantId);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(ct))
        {
            await db.Organisations.Where(o => o.Id == "rep").ExecuteUpdateAsync(o => o.SetProperty(x => x.ReportingCurrency, "USD"), ct);
        }

        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, viewer);
        var api = await page.APIRequest.GetAsync(new Uri(app.BaseAddress, "/api/tenants/rep/overview").ToString());
        Assert.True(api.Ok, $"GET /api/tenants/rep/overview answered {api.Status}: {await api.TextAsync()}");
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/overview").ToString());
        await Assertions.Expect(page.GetByTestId("overview-stores")).ToContainTextAsync("Live Shop", Patient);
        await Assertions.Expect(page.GetByTestId("overview-status")).ToHaveTextAsync("Live", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var before = Dollars(await page.GetByTestId("overview-total-revenue").InnerTextAsync());

        using var response = await new ShopifyWebhookSender(app.Http).PostOrderCreatedAsync(live, new ShopifyOrder(77_001, 12.34m, DateTimeOffset.UtcNow.AddMinutes(-1)), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Pushed through the hub: no reload.
        await Assertions.Expect(page.GetByTestId("overview-total-revenue"))
            .ToHaveTextAsync("US$" + (before + 12.34m).ToString("#,##0.00", CultureInfo.InvariantCulture), new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(page.GetByTestId("overview-store-live-shop")).ToContainTextAsync("US$12.34");
    }

    private static decimal Dollars(string text) => decimal.Parse(text.Replace("US$", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
}
