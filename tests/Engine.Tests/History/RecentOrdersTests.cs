using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>The live order feed's query, on both real stores: newest first, newest version, scoped and limited.</summary>
public sealed class RecentOrdersTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 15, 30, 0, TimeSpan.Zero);
    private static readonly HistoryRange LastDay = new(Now.AddDays(-1), Now.AddMinutes(1));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Feed_lists_the_newest_orders_first_at_their_newest_version_with_country_and_channel(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var other = new StoreRef("acme", "de-shop");
        await sut.Store.WriteFactsAsync(Batch(
            Order("old", Now.AddDays(-2), [("MUG", 1, 10m)]),
            Order("a", Now.AddMinutes(-30), [("MUG", 1, 10m)], country: "FR"),
            Order("b", Now.AddMinutes(-20), [("TEE", 2, 15m)], country: null, channel: SalesChannel.WooCommerce),
            Order("c", Now.AddMinutes(-10), [("CAP", 1, 12.5m)], country: "US"),
            Order("c", Now.AddMinutes(-10), [("CAP", 3, 12.5m)], version: Now.AddMinutes(-5), country: "US", cancelled: true),
            Order("elsewhere", Now.AddMinutes(-1), [("MUG", 9, 10m)], store: other)), Ct);

        var feed = await sut.Store.RecentOrdersAsync(HistoryScope.Store(Shop.TenantId, Shop.StoreId), LastDay, 2, Ct);

        Assert.Equal(
            [
                new RecentOrder("uk-shop", "c", Now.AddMinutes(-10), SalesChannel.Shopify, "GBP", 37.5m, 3, "US", true),
                new RecentOrder("uk-shop", "b", Now.AddMinutes(-20), SalesChannel.WooCommerce, "GBP", 30m, 2, HistoryFacts.Unknown, false),
            ],
            feed);

        var tenant = await sut.Store.RecentOrdersAsync(HistoryScope.Tenant("acme"), LastDay, 10, Ct);
        Assert.Equal(["elsewhere", "c", "b", "a"], tenant.Select(o => o.OrderId));
    }
}
