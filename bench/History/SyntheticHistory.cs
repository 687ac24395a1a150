using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Bench.History;

/// <summary>
/// Order-line facts drawn from the Online Retail sample's own distribution: each synthetic order copies a real
/// invoice's shape (its lines' SKUs, titles, quantities and prices, its time of day, country and whether it had a
/// customer), the window's days filled in order; refunds copy real cancellations at the data's cancellation rate.
/// Deterministic for a seed, so both stores get the same facts.
/// </summary>
internal sealed class SyntheticHistory
{
    private static readonly string[] Sources = ["web", "web", "web", "pos", "instagram", "google"];

    private readonly List<List<RetailLine>> _sales;
    private readonly List<List<RetailLine>> _cancellations;

    public SyntheticHistory(IEnumerable<RetailLine> lines)
    {
        var invoices = lines.GroupBy(l => l.InvoiceNo, StringComparer.Ordinal).Select(g => g.OrderBy(l => l.LineNumber).ToList()).ToList();
        _sales = [.. invoices.Where(i => !i[0].IsCancellation && i.Any(l => l.Quantity > 0)).Select(i => i.Where(l => l.Quantity > 0).ToList())];
        _cancellations = [.. invoices.Where(i => i[0].IsCancellation)];
    }

    public double LinesPerOrder => _sales.Average(s => s.Count);

    /// <summary>Batches of facts adding up to <paramref name="lines"/> order lines, spread over the <paramref name="days"/> before <paramref name="end"/>.</summary>
    public IEnumerable<(HistoryBatch Batch, int Lines)> Generate(StoreRef store, long lines, int days, DateTimeOffset end, int batchLines, int seed = 42)
    {
        var random = new Random(seed);
        var refundRate = (double)_cancellations.Count / _sales.Count;
        var customersSeen = new HashSet<long>();
        var start = end.AddDays(-days);
        long written = 0;
        long orderNo = 0;
        while (written < lines)
        {
            var batch = new HistoryBatch();
            var inBatch = 0;
            while (inBatch < batchLines && written < lines)
            {
                var shape = _sales[random.Next(_sales.Count)];
                // Days in order, as a live store or an import writes them: each batch covers a few consecutive days.
                var placed = start.AddDays(Math.Min(days - 1, written * days / lines)) + shape[0].InvoiceDate.TimeOfDay;
                var id = $"b{++orderNo}";
                long? customer = shape[0].CustomerId is { } c ? c + (random.Next(4) * 100_000L) : null;
                var returning = customer is { } known && !customersSeen.Add(known);
                var factLines = shape.Select((l, i) => new OrderLineFact(i + 1, l.StockCode, l.Description, l.Quantity, l.UnitPrice,
                    HistoryFacts.Cents(l.Quantity * l.UnitPrice))).ToArray();
                batch.Add(new OrderFact(store.TenantId, store.StoreId, random.Next(5) == 0 ? SalesChannel.WooCommerce : SalesChannel.Shopify, id,
                    placed.ToUnixTimeMilliseconds(), placed, "GBP", HistoryFacts.Cents(factLines.Sum(l => l.LineRevenue)),
                    factLines.Sum(l => l.Quantity), returning, false, Sources[random.Next(Sources.Length)], shape[0].Country, factLines));
                inBatch += factLines.Length;
                written += factLines.Length;

                if (random.NextDouble() < refundRate)
                {
                    var cancel = _cancellations[random.Next(_cancellations.Count)];
                    var at = placed.AddHours(random.Next(1, 96));
                    var refundLines = cancel.Select((l, i) => new RefundLineFact(i + 1, l.StockCode, Math.Abs(l.Quantity),
                        HistoryFacts.Cents(Math.Abs(l.Quantity) * l.UnitPrice))).ToArray();
                    batch.Add(new RefundFact(store.TenantId, store.StoreId, SalesChannel.Shopify, $"r{orderNo}", id, at,
                        refundLines.Sum(l => l.Amount), refundLines.Sum(l => l.Quantity), refundLines));
                }

                // About one session in three converts, so sessions are three per order.
                for (var s = 0; s < 3; s++)
                {
                    batch.Add(new SessionFact(store.TenantId, store.StoreId, SalesChannel.Shopify, $"s{orderNo}-{s}", placed.AddMinutes(-random.Next(1, 30)),
                        Sources[random.Next(Sources.Length)]));
                }
            }

            yield return (batch, inBatch);
        }
    }
}
