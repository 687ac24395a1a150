using Microsoft.Data.Sqlite;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Tests.Stores;

public sealed class SqliteStoreDirectoryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private SqliteStoreDirectory Open() => new(SqliteStoreDirectory.ConnectionStringFor(_data.Path));

    private static StoreProfile Profile(string storeId, string domain, string currency = "GBP") =>
        new(new StoreRef("acme", storeId), $"Acme {storeId}", SalesChannel.Shopify, domain, currency, "Europe/London", $"secret-{storeId}");

    [Fact]
    public async Task A_store_is_found_by_its_shop_domain_and_by_reference_after_reopening()
    {
        var ct = TestContext.Current.CancellationToken;
        var eu = Profile("eu", "acme-eu.myshopify.com");
        await Open().UpsertAsync(eu, ct);
        await Open().UpsertAsync(Profile("us", "acme-us.myshopify.com", "USD"), ct);

        var directory = Open();

        Assert.Equal(eu, await directory.FindByShopDomainAsync(SalesChannel.Shopify, "ACME-EU.myshopify.com", ct));
        Assert.Equal(eu, await directory.GetAsync(new StoreRef("acme", "eu"), ct));
        Assert.Null(await directory.FindByShopDomainAsync(SalesChannel.WooCommerce, "acme-eu.myshopify.com", ct));
        Assert.Null(await directory.GetAsync(new StoreRef("acme", "missing"), ct));
        Assert.Equal(["eu", "us"], (await directory.ListAsync(ct)).Select(p => p.Store.StoreId));
    }

    [Fact]
    public async Task Upsert_is_idempotent_and_replaces_the_profile()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Open();
        await directory.UpsertAsync(Profile("eu", "acme-eu.myshopify.com"), ct);
        await directory.UpsertAsync(Profile("eu", "acme-eu.myshopify.com"), ct);
        var changed = Profile("eu", "acme-europe.myshopify.com", "EUR") with { Name = "Acme Europe", TimeZone = "Europe/Paris" };
        await directory.UpsertAsync(changed, ct);

        var all = await directory.ListAsync(ct);

        Assert.Equal(changed, Assert.Single(all));
        Assert.Null(await directory.FindByShopDomainAsync(SalesChannel.Shopify, "acme-eu.myshopify.com", ct));
    }

    [Fact]
    public async Task One_shop_domain_cannot_belong_to_two_stores()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Open();
        await directory.UpsertAsync(Profile("eu", "acme-eu.myshopify.com"), ct);

        await Assert.ThrowsAsync<SqliteException>(() => directory.UpsertAsync(Profile("copy", "acme-eu.myshopify.com"), ct));
    }
}
