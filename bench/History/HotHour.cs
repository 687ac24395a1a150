using System.Diagnostics;
using System.Globalization;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.History.DuckDb;

namespace SalesDash.Bench.History;

/// <summary>
/// The write cost of a busy store's current hour (issue 15): <c>--hot-hour</c> writes N orders (real invoice shapes from
/// the Online Retail sample) placed within one hour, in batches as the history writer sends them, with a share of later
/// versions (orders/updated) and refunds, to two fresh DuckDB stores: the product, which applies each write's delta to
/// the rollups, and the baseline, which recomputes each touched hour from its facts (as before). Batches alternate
/// between the two so the machine's noise falls on both alike. Prints the time per batch early and late in the hour
/// (the baseline's grows with the hour) and checks both stores give the same figures.
///   dotnet run -c Release --project bench/History -- --hot-hour [--orders 20000] [--batch-orders 50] [--edits 0.1]
/// </summary>
internal static class HotHour
{
    public static async Task RunAsync(string[] args, IReadOnlyList<RetailLine> sample)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var orders = int.Parse(Value("--orders") ?? "20000", CultureInfo.InvariantCulture);
        var batchOrders = int.Parse(Value("--batch-orders") ?? "50", CultureInfo.InvariantCulture);
        var editShare = double.Parse(Value("--edits") ?? "0.1", CultureInfo.InvariantCulture);

        var shapes = sample.Where(l => !l.IsCancellation && l.Quantity > 0).GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
            .Select(g => g.OrderBy(l => l.LineNumber).ToList()).ToList();
        var shop = new StoreRef("bench", "hot");
        var hour = new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);
        var batches = Batches(shapes, shop, hour, orders, batchOrders, editShare).ToList();

        var folder = Directory.CreateTempSubdirectory("salesdash-hot-hour");
        try
        {
            using var delta = new DuckDbHistoryStore($"Data Source={Path.Combine(folder.FullName, "delta.duckdb")}");
            using var recompute = new DuckDbHistoryStore($"Data Source={Path.Combine(folder.FullName, "recompute.duckdb")}") { RecomputeTouchedHours = true };
            await delta.InitializeAsync(CancellationToken.None);
            await recompute.InitializeAsync(CancellationToken.None);

            Console.WriteLine($"hot hour: {orders:N0} orders in one hour, {batches.Count:N0} batches of {batchOrders} orders, "
                + $"{editShare:P0} of orders sent again as a later version; load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at start");
            var deltaTimes = new List<double>();
            var recomputeTimes = new List<double>();
            var watch = new Stopwatch();
            foreach (var batch in batches)
            {
                watch.Restart();
                await delta.WriteFactsAsync(batch, CancellationToken.None);
                deltaTimes.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                await recompute.WriteFactsAsync(batch, CancellationToken.None);
                recomputeTimes.Add(watch.Elapsed.TotalMilliseconds);
            }

            var range = new HistoryRange(hour.AddHours(-1), hour.AddHours(3));
            var scope = HistoryScope.Store(shop.TenantId, shop.StoreId);
            var same = await FiguresAsync(delta, scope, range) == await FiguresAsync(recompute, scope, range);
            var tenth = Math.Max(1, batches.Count / 10);
            Console.WriteLine("| upkeep | total s | ms/batch, first 10% | ms/batch, last 10% | ms/batch, all |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, times) in new[] { ("delta (product)", deltaTimes), ("recompute the hour (baseline)", recomputeTimes) })
            {
                Console.WriteLine($"| {name} | {times.Sum() / 1000:F1} | {times.Take(tenth).Average():F1} | {times.TakeLast(tenth).Average():F1} | {times.Average():F1} |");
            }

            Console.WriteLine($"same figures (hourly slots, channels and products): {(same ? "yes" : "NO")}; load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at the end");
            if (!same)
            {
                throw new InvalidOperationException("the delta and the recompute disagree");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    internal static IEnumerable<HistoryBatch> Batches(List<List<RetailLine>> shapes, StoreRef shop, DateTimeOffset hour, int orders, int batchOrders, double editShare)
    {
        var random = new Random(42);
        var pendingEdits = new Queue<OrderFact>();
        var batch = new HistoryBatch();
        var inBatch = 0;
        for (var i = 0; i < orders; i++)
        {
            var shape = shapes[random.Next(shapes.Count)];
            var placed = hour.AddMilliseconds(3_600_000L * i / orders);
            var lines = shape.Select((l, n) => new OrderLineFact(n + 1, l.StockCode, l.Description, l.Quantity, l.UnitPrice,
                HistoryFacts.Cents(l.Quantity * l.UnitPrice))).ToArray();
            var order = new OrderFact(shop.TenantId, shop.StoreId, random.Next(5) == 0 ? SalesChannel.WooCommerce : SalesChannel.Shopify, $"h{i}",
                placed.ToUnixTimeMilliseconds(), placed, "GBP", HistoryFacts.Cents(lines.Sum(l => l.LineRevenue)), lines.Sum(l => l.Quantity),
                random.Next(3) == 0, false, "web", "GB", lines);
            batch.Add(order);
            if (random.NextDouble() < editShare)
            {
                // Sent again a few batches later with its first line's quantity changed, as orders/updated would.
                var edited = lines.Select((l, n) => n == 0 ? l with { Quantity = l.Quantity + 1, LineRevenue = HistoryFacts.Cents((l.Quantity + 1) * l.UnitPrice) } : l).ToArray();
                pendingEdits.Enqueue(order with { Version = order.Version + 60_000, Lines = edited, Total = HistoryFacts.Cents(edited.Sum(l => l.LineRevenue)),
                    Units = edited.Sum(l => l.Quantity) });
            }

            if (random.Next(33) == 0)
            {
                var refunded = lines[0];
                batch.Add(new RefundFact(shop.TenantId, shop.StoreId, order.Channel, $"r{i}", order.OrderId, placed.AddMinutes(1), refunded.LineRevenue,
                    refunded.Quantity, [new RefundLineFact(1, refunded.Sku, refunded.Quantity, refunded.LineRevenue)]));
            }

            if (++inBatch == batchOrders)
            {
                while (pendingEdits.Count > batchOrders)
                {
                    batch.Add(pendingEdits.Dequeue());
                }

                yield return batch;
                batch = new HistoryBatch();
                inBatch = 0;
                for (var e = 0; e < batchOrders / 10 && pendingEdits.Count > 0; e++)
                {
                    batch.Add(pendingEdits.Dequeue());
                }
            }
        }

        while (pendingEdits.Count > 0)
        {
            batch.Add(pendingEdits.Dequeue());
        }

        yield return batch;
    }

    private static async Task<string> FiguresAsync(IHistoryStore store, HistoryScope scope, HistoryRange range)
    {
        var slots = await store.SlotsAsync(scope, range, TimeSpan.FromHours(1), CancellationToken.None);
        var channels = await store.BreakdownAsync(scope, range, BreakdownDimension.Channel, CancellationToken.None);
        var products = await store.BreakdownAsync(scope, range, BreakdownDimension.Product, CancellationToken.None);
        return string.Join("\n", string.Join(";", slots), string.Join(";", channels), string.Join(";", products.OrderBy(p => p.Key, StringComparer.Ordinal)));
    }
}
