using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Tests.History;

namespace SalesDash.Web.Tests.Exports;

/// <summary>
/// Both history stores page their facts back for the full export the same way: oldest first, every order once at its
/// newest version with that version's lines, refunds with their lines, and nothing of another store.
/// </summary>
public sealed class FactExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("DuckDb")]
    [InlineData("ClickHouse")]
    public async Task Pages_hold_each_order_once_at_its_newest_version_oldest_first(string kind)
    {
        await using var app = new HistoryApp(kind);
        var store = new StoreRef("acme", "uk-shop");
        var t0 = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var first = new HistoryBatch();
        for (var i = 0; i < 7; i++)
        {
            first.Add(Order(store, $"o-{i}", t0.AddHours(i), t0.AddHours(i), [("SKU-A", 1, 10m), ("SKU-B", 2, 5m)]));
        }

        first.Add(Order(new StoreRef("acme", "us-shop"), "other", t0, t0, [("X", 1, 1m)]));
        first.Add(new RefundFact("acme", "uk-shop", SalesChannel.Shopify, "r-1", "o-2", t0.AddDays(1), 5m, 1, [new RefundLineFact(1, "SKU-B", 1, 5m)]));
        var facts = app.Services.GetRequiredService<IHistoryStore>();
        await facts.WriteFactsAsync(first, Ct);

        // o-3 edited later down to one line: the export holds only that line.
        var edit = new HistoryBatch();
        edit.Add(Order(store, "o-3", t0.AddHours(3), t0.AddDays(2), [("SKU-C", 4, 2.5m)]));
        await facts.WriteFactsAsync(edit, Ct);

        var reader = (IHistoryFactExport)facts;
        var orders = new List<OrderFact>();
        FactCursor? after = null;
        while (true)
        {
            var page = await reader.OrdersAfterAsync(store, after, 3, Ct);
            orders.AddRange(page);
            if (page.Count < 3)
            {
                break;
            }

            after = new FactCursor(page[^1].PlacedAt, page[^1].OrderId);
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"o-{i}"), orders.Select(o => o.OrderId));
        Assert.Equal(t0.AddHours(1), orders[1].PlacedAt);
        Assert.Equal([("SKU-A", 1, 10m), ("SKU-B", 2, 10m)], orders[0].Lines.Select(l => (l.Sku, l.Quantity, l.LineRevenue)));
        var edited = orders.Single(o => o.OrderId == "o-3");
        Assert.Equal((10m, t0.AddDays(2).ToUnixTimeMilliseconds()), (edited.Total, edited.Version));
        Assert.Equal([("SKU-C", 4, 10m)], edited.Lines.Select(l => (l.Sku, l.Quantity, l.LineRevenue)));

        var refund = Assert.Single(await reader.RefundsAfterAsync(store, null, 10, Ct));
        Assert.Equal(("r-1", "o-2", 5m, t0.AddDays(1)), (refund.RefundId, refund.OrderId, refund.Amount, refund.OccurredAt));
        Assert.Equal([("SKU-B", 1, 5m)], refund.Lines.Select(l => (l.Sku, l.Quantity, l.Amount)));
        Assert.Empty(await reader.RefundsAfterAsync(store, new FactCursor(refund.OccurredAt, refund.RefundId), 10, Ct));
    }

    private static OrderFact Order(StoreRef store, string id, DateTimeOffset placed, DateTimeOffset version, (string Sku, int Qty, decimal Price)[] lines) =>
        new(store.TenantId, store.StoreId, SalesChannel.Shopify, id, version.ToUnixTimeMilliseconds(), placed, "GBP", lines.Sum(l => l.Qty * l.Price),
            lines.Sum(l => l.Qty), false, false, "web", "GB",
            [.. lines.Select((l, i) => new OrderLineFact(i + 1, l.Sku, $"Title of {l.Sku}", l.Qty, l.Price, l.Qty * l.Price))]);
}
