using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// History keeps who bought each order — the channel's customer id, else the hashed e-mail, else nobody — and orders
/// written before it kept the buyer read as unidentified guests, on DuckDB and on the ClickHouse server.
/// </summary>
public sealed class CustomerKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 15, 30, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Fact]
    public void The_channel_id_wins_over_the_email_hash_an_id_that_is_an_address_is_hashed_and_a_guest_without_either_has_no_key()
    {
        var hash = new string('a', 64);
        Assert.Equal("id:shopify:42", Key(Order("o1", Now, [("MUG", 1, 5m)]) with { CustomerId = " 42 ", CustomerEmailHash = hash }));
        Assert.Equal("id:woocommerce:42", Key(Order("o2", Now, [("MUG", 1, 5m)], channel: SalesChannel.WooCommerce) with { CustomerId = "42" }));
        Assert.Equal($"email:{hash}", Key(Order("o3", Now, [("MUG", 1, 5m)]) with { CustomerEmailHash = hash.ToUpperInvariant() }));
        Assert.Equal(string.Empty, Key(Order("o4", Now, [("MUG", 1, 5m)]) with { CustomerId = " ", CustomerEmailHash = null }));
        Assert.Equal($"email:{OrderAttribution.HashEmail("ann@example.com")}", Key(Order("o5", Now, [("MUG", 1, 5m)]) with { CustomerId = " Ann@Example.com " }));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Orders_keep_their_buyer_and_orders_from_before_read_as_unidentified(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var period = new HistoryRange(Now.AddDays(-30), Now);
        await sut.Store.WriteFactsAsync(Batch(
            Order("old-1", Now.AddDays(-3), [("MUG", 1, 10m)]) with { CustomerId = "7" },
            Order("old-2", Now.AddDays(-2), [("MUG", 1, 10m)]) with { CustomerId = "7" }), Ct);

        // A database from before the column: the rows already there lose their buyer, as they never had one.
        // (DuckDB's staging copies the table's shape on each open.) Such a database had no order-id index either, and
        // DuckDB alters no indexed table.
        if (kind == "DuckDb")
        {
            await sut.ExecuteRawAsync("DROP INDEX history_orders_order_id", Ct);
        }

        await sut.ExecuteRawAsync("ALTER TABLE history_orders DROP COLUMN customer_key", Ct);

        await sut.ReopenAsync(Ct);
        var customers = (ICustomerHistory)sut.Store;
        var before = await customers.CustomerCountsAsync(Shop, period, Now, Ct);
        Assert.Equal((0L, 0L, 2L), (before.Customers, before.IdentifiedOrders, before.UnidentifiedOrders));

        var hash = new string('b', 64);
        await sut.Store.WriteFactsAsync(Batch(
            Order("new-1", Now.AddDays(-1), [("MUG", 1, 10m)]) with { CustomerId = "7" },
            Order("new-2", Now.AddHours(-5), [("MUG", 1, 10m)]) with { CustomerEmailHash = hash },
            Order("new-3", Now.AddHours(-4), [("MUG", 1, 10m)]) with { CustomerEmailHash = hash },
            Order("new-4", Now.AddHours(-3), [("MUG", 1, 10m)])), Ct);

        var after = await customers.CustomerCountsAsync(Shop, period, Now, Ct);
        Assert.Equal((2L, 2L, 1L, 3L, 3L), (after.Customers, after.NewCustomers, after.RepeatCustomers, after.IdentifiedOrders, after.UnidentifiedOrders));

        var exported = await ((IHistoryFactExport)sut.Store).OrdersAfterAsync(Shop, null, 100, Ct);
        Assert.Equal(["", "", "id:shopify:7", $"email:{hash}", $"email:{hash}", ""], exported.Select(o => o.CustomerKey));
    }

    private static string Key(OrderEvent order) => ((OrderFact)HistoryFacts.From(order)!).CustomerKey;
}
