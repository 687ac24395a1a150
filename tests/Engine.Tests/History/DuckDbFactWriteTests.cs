using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History.DuckDb;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// DuckDB's fact write (issue 15 pt 1): a batch costs a handful of statements whatever it holds, and the rollups it
/// keeps by delta equal rollups recomputed from the facts in the edges a batch can hold.
/// </summary>
public sealed class DuckDbFactWriteTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_of_new_orders_costs_the_same_few_statements_whatever_its_size_and_span()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var store = (DuckDbHistoryStore)sut.Store;

        var before = store.FactWriteStatements;
        await store.WriteFactsAsync(Batch(Order("one", Now.AddDays(-3), [("MUG", 1, 5m)])), Ct);
        var one = store.FactWriteStatements - before;

        // 400 orders over 20 days, every hour of the day, both channels, up to three SKUs each.
        var many = Enumerable.Range(0, 400).Select(i => (CommerceEvent)Order($"many-{i}", Now.AddHours(-i * 1.2),
            [.. new[] { ("MUG", 1, 5m), ("TEE", 2, 12.5m), ("CAP", 1, 9.99m) }.Take(1 + (i % 3))],
            channel: i % 2 == 0 ? SalesChannel.Shopify : SalesChannel.Amazon)).ToArray();
        before = store.FactWriteStatements;
        await store.WriteFactsAsync(Batch(many), Ct);
        var batchOf400 = store.FactWriteStatements - before;

        Assert.Equal(one, batchOf400);
        // Held lookup, replaced range, three rollup upserts (hourly, hourly and daily products), three fact inserts
        // (orders, lines, touches), four clears.
        Assert.InRange(one, 1, 12);
        await AssertRollupsEqualRecomputedAsync(sut, expectedOrders: 401);
    }

    [Fact]
    public async Task Replacements_refunds_and_sessions_in_one_batch_across_hours_days_and_channels_keep_the_rollups_exact()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var v1 = Now.AddDays(-5);
        await sut.Store.WriteFactsAsync(Batch(
            Order("o1", v1, [("MUG", 1, 5m), ("TEE", 1, 12m)]),
            Order("o2", v1.AddHours(3), [("TEE", 2, 12m)], channel: SalesChannel.Amazon),
            Order("o3", v1.AddDays(1), [("CAP", 1, 9.99m)], returning: true),
            Order("o4", v1.AddDays(2), [("MUG", 3, 5m)], cancelled: true),
            Session("s1", v1),
            Session("s2", v1.AddDays(1))), Ct);

        // One batch: o1 twice more (the batch keeps its newest, which moves it to another day, channel and SKU, so its
        // old hour's product rows lose their last lines); o2 replaced within its hour (its SKU's smallest title
        // changes); a new order and its own refund; a refund of a held order; o4 replayed as it is held; a held
        // session again and a new one.
        var o1v2 = Order("o1", v1.AddHours(1), [("MUG", 2, 5m)], version: Now.AddDays(-2));
        var o1v3 = Order("o1", v1.AddDays(3), [("HAT", 1, 20m)], version: Now.AddDays(-1), channel: SalesChannel.Amazon);
        var o2v2 = Order("o2", v1.AddHours(3), [("TEE", 1, 12m)], version: Now.AddDays(-2), channel: SalesChannel.Amazon) with
        {
            Lines = [new OrderLine("TEE", "A cheaper tee", 1, 10m)],
            TotalPrice = 10m,
        };
        await sut.Store.WriteFactsAsync(Batch(
            o1v2,
            o1v3,
            o2v2,
            Order("o5", v1.AddDays(4), [("MUG", 1, 5m), ("CAP", 2, 9.99m)], channel: SalesChannel.Amazon),
            Refund("r5", "o5", v1.AddDays(4).AddHours(2), [("CAP", 1, 9.99m)], channel: SalesChannel.Amazon),
            Refund("r3", "o3", v1.AddDays(2).AddHours(5), [("CAP", 1, 9.99m)]),
            Order("o4", v1.AddDays(2), [("MUG", 3, 5m)], cancelled: true),
            Session("s1", v1),
            Session("s3", v1.AddDays(4))), Ct);

        // An older version after a newer one changes nothing; so does the same refund again.
        await sut.Store.WriteFactsAsync(Batch(o1v2, Refund("r5", "o5", v1.AddDays(4).AddHours(2), [("CAP", 1, 9.99m)], channel: SalesChannel.Amazon)), Ct);

        await AssertRollupsEqualRecomputedAsync(sut, expectedOrders: 5);
        Assert.Equal(["HAT|20.00|1|1"], await sut.QueryDuckDbAsync(
            "SELECT sku, sum(gross)::VARCHAR, sum(orders), sum(lines) FROM history_hourly_products WHERE sku = 'HAT' GROUP BY sku", Ct));
        Assert.Equal(["A cheaper tee|10.00"], await sut.QueryDuckDbAsync(
            "SELECT title, gross::VARCHAR FROM history_hourly_products WHERE sku = 'TEE'", Ct));
        Assert.Equal(["3|2|19.98"], await sut.QueryDuckDbAsync(
            "SELECT sum(sessions), sum(refund_count), sum(refunds)::VARCHAR FROM history_hourly", Ct));
    }

    [Fact]
    public async Task Small_writes_find_the_held_versions_of_their_own_store_by_order_id()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var other = new StoreRef(Shop.TenantId, "other-shop");
        var v1 = Now.AddDays(-4);

        // The same order ids in two stores, one with a quote in it; then enough new orders that a later batch of
        // replacements is too large for the index lookup and joins the whole table instead.
        await sut.Store.WriteFactsAsync(Batch(
            Order("1001", v1, [("MUG", 1, 5m)]),
            Order("1001", v1, [("MUG", 1, 7m)], store: other),
            Order("it's-1", v1.AddHours(1), [("TEE", 1, 12m)])), Ct);
        var bulk = Enumerable.Range(0, DuckDbFactWriter.IndexedLookupMaxOrders + 1)
            .Select(i => (CommerceEvent)Order($"bulk-{i}", v1.AddHours(2 + (i % 30)), [("CAP", 1, 9.99m)])).ToArray();
        await sut.Store.WriteFactsAsync(Batch(bulk), Ct);

        // One-order writes replace, replay and refuse older versions, each looked up by the index.
        await sut.Store.WriteFactsAsync(Batch(Order("1001", v1.AddDays(1), [("HAT", 2, 20m)], version: Now.AddDays(-1))), Ct);
        await sut.Store.WriteFactsAsync(Batch(Order("1001", v1, [("MUG", 1, 5m)])), Ct);
        await sut.Store.WriteFactsAsync(Batch(Order("it's-1", v1.AddHours(1), [("TEE", 3, 12m)], version: Now.AddDays(-1))), Ct);
        await sut.Store.WriteFactsAsync(Batch(Order("it's-1", v1.AddHours(1), [("TEE", 3, 12m)], version: Now.AddDays(-1))), Ct);

        // A batch past the index's bound replaces every bulk order by the join.
        await sut.Store.WriteFactsAsync(Batch([.. bulk.Cast<OrderPlaced>().Select(o => (CommerceEvent)(o with
        {
            EventId = o.EventId + "-v2",
            Version = Now.AddDays(-1),
            Lines = [new OrderLine("CAP", "Title of CAP", 2, 9.99m)],
            TotalPrice = 19.98m,
        }))]), Ct);

        Assert.Equal(["other-shop|1001|7.00", "uk-shop|1001|40.00", "uk-shop|it's-1|36.00"], await sut.QueryDuckDbAsync(
            "SELECT store_id, order_id, total::VARCHAR FROM history_orders WHERE order_id NOT LIKE 'bulk-%' ORDER BY ALL", Ct));
        Assert.Equal([$"{DuckDbFactWriter.IndexedLookupMaxOrders + 1}|{(DuckDbFactWriter.IndexedLookupMaxOrders + 1) * 19.98m:0.00}"],
            await sut.QueryDuckDbAsync("SELECT count(*), sum(total)::VARCHAR FROM history_orders WHERE order_id LIKE 'bulk-%'", Ct));
        await AssertRollupsEqualRecomputedAsync(sut, expectedOrders: DuckDbFactWriter.IndexedLookupMaxOrders + 4);
    }

    /// <summary>The rollup rows kept by the writes equal those a rebuild computes from the facts, which hold <paramref name="expectedOrders"/> orders.</summary>
    private static async Task AssertRollupsEqualRecomputedAsync(StoreUnderTest sut, int expectedOrders)
    {
        const string Hourly = "SELECT * FROM history_hourly ORDER BY ALL";
        const string Products = "SELECT * FROM history_hourly_products ORDER BY ALL";
        const string Daily = "SELECT * FROM history_daily_products ORDER BY ALL";
        var kept = (await sut.QueryDuckDbAsync(Hourly, Ct), await sut.QueryDuckDbAsync(Products, Ct), await sut.QueryDuckDbAsync(Daily, Ct));

        await sut.ExecuteRawAsync("DELETE FROM history_rollup_state", Ct);
        await sut.ReopenAsync(Ct);
        var recomputed = (await sut.QueryDuckDbAsync(Hourly, Ct), await sut.QueryDuckDbAsync(Products, Ct), await sut.QueryDuckDbAsync(Daily, Ct));

        Assert.Equal([expectedOrders.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            await sut.QueryDuckDbAsync("SELECT sum(orders) FROM history_hourly", Ct));
        Assert.Equal(recomputed.Item1, kept.Item1);
        Assert.Equal(recomputed.Item2, kept.Item2);
        Assert.Equal(recomputed.Item3, kept.Item3);
    }
}
