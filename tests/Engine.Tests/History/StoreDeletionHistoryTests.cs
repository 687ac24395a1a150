using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// A store deleted with its data: every history table that holds stores' rows (facts, hourly rollups, minutes, dead
/// letters) has nothing of it afterwards, on DuckDB and on the ClickHouse server (an asynchronous ALTER … DELETE
/// mutation there, waited for); the same store id of another organisation and another store of the same one keep
/// every row and figure.
/// </summary>
public sealed class StoreDeletionHistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 15, 30, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Deleting_a_store_empties_every_history_table_of_it_and_only_of_it(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var sibling = new StoreRef("acme", "us-shop");
        var namesake = new StoreRef("globex", "uk-shop");
        foreach (var store in new[] { Shop, sibling, namesake })
        {
            var tag = store.TenantId + store.StoreId;
            await sut.Store.WriteFactsAsync(Batch(
                Order("o-" + tag, Now.AddHours(-3), [("MUG", 2, 10m)], store: store),
                Order("p-" + tag, Now.AddDays(-40), [("TEE", 1, 25m)], store: store),
                Refund("r-" + tag, "o-" + tag, Now.AddHours(-2), [("MUG", 1, 10m)], store: store),
                Session("s-" + tag, Now.AddHours(-3), store: store)), Ct);
            await sut.Store.WriteAsync([new MinuteKpiRow(store.TenantId, store.StoreId, Now.AddHours(-3), "GBP", 20m, 0m, 1, 2, 1, 0, 0)], Ct);
            await sut.Store.WriteDeadLettersAsync([new HistoryDeadLetter(store.TenantId, store.StoreId, "order", "bad-" + tag, "refused", "{}", Now)], Ct);
        }

        var before = await sut.Store.CountStoreRowsAsync(Shop.TenantId, Shop.StoreId, Ct);
        foreach (var table in new[] { "history_orders", "history_order_lines", "history_refunds", "history_refund_lines", "history_sessions", "history_hourly",
                     "history_hourly_products", "minute_kpi", "history_dead_letters" })
        {
            Assert.True(before.TryGetValue(table, out var rows) && rows > 0, $"{table} should hold the store's rows before the deletion");
        }

        var range = new HistoryRange(Now.AddDays(-90), Now.AddDays(1));
        var siblingBefore = (await sut.Store.SlotsAsync(HistoryScope.Store(sibling.TenantId, sibling.StoreId), range, range.Length, Ct)).Single().Totals;
        var namesakeRows = await sut.Store.CountStoreRowsAsync(namesake.TenantId, namesake.StoreId, Ct);
        var siblingRows = await sut.Store.CountStoreRowsAsync(sibling.TenantId, sibling.StoreId, Ct);

        await sut.Store.DeleteStoreAsync(Shop.TenantId, Shop.StoreId, Ct);

        var after = await sut.Store.CountStoreRowsAsync(Shop.TenantId, Shop.StoreId, Ct);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(after, table => Assert.Equal(0, table.Value));
        Assert.All(await sut.Store.SlotsAsync(HistoryScope.Store(Shop.TenantId, Shop.StoreId), range, range.Length, Ct), s => Assert.Equal(HistoryTotals.Zero, s.Totals));
        Assert.Empty(await sut.Store.ReadAsync(Shop, Now.AddDays(-1), Now, Ct));
        Assert.DoesNotContain(await sut.Store.DeadLettersAsync(Shop.TenantId, 100, Ct), l => l.StoreId == Shop.StoreId);

        Assert.Equal(siblingRows, await sut.Store.CountStoreRowsAsync(sibling.TenantId, sibling.StoreId, Ct));
        Assert.Equal(namesakeRows, await sut.Store.CountStoreRowsAsync(namesake.TenantId, namesake.StoreId, Ct));
        Assert.Equal(siblingBefore, (await sut.Store.SlotsAsync(HistoryScope.Store(sibling.TenantId, sibling.StoreId), range, range.Length, Ct)).Single().Totals);
        Assert.Equal(45m, siblingBefore.GrossRevenue);
    }
}
