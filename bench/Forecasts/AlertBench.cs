using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Connectors.Shopify.Replay;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Bench.Forecasts;

/// <summary>
/// Precision and recall of the anomaly alert rule on the retail replay: the data set's trade folded onto consecutive
/// days as the demo plays it (~1,500 invoices a day), with revenue drops injected at chosen hours, run through the
/// entity's minute monitor and the alert book exactly as the app does.
/// </summary>
internal static class AlertBench
{
    private const int Days = 14;

    /// <summary>The first four days only teach the detector (two daily seasons plus margin); drops go after them.</summary>
    private const int WarmUpDays = 4;

    public static void Run(IReadOnlyList<RetailLine> lines)
    {
        var plan = new ShopifyReplayPlan(lines);
        var invoices = lines.Where(l => !l.IsCancellation).GroupBy(l => l.InvoiceNo)
            .Select(g => (Day: DateOnly.FromDateTime(g.First().InvoiceDate), Time: g.First().InvoiceDate.TimeOfDay, Total: g.Sum(l => l.Quantity * l.UnitPrice)))
            .Where(i => i.Total > 0)
            .ToLookup(i => i.Day);
        var store = new StoreRef("bench", "retail");
        var firstDay = new DateOnly(2026, 3, 2);

        Console.WriteLine("## Anomaly alerts on the retail replay (rules: revenue or orders, below, any severity; both judged on the same replay)");
        Console.WriteLine("| drop | minutes | rule | injected | detected (recall) | alerts | true alerts (precision) | median minutes to alert | false alerts per day |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (cut, length) in new[] { 0.3, 0.5, 0.8 }.SelectMany(c => new[] { 15, 30, 60 }.Select(l => (c, l))))
        {
            var factor = 1 - cut;
            var random = new Random(42);

            // One drop on each day after the warm-up, starting in the busy hours (10:00-15:00).
            var drops = Enumerable.Range(WarmUpDays, Days - WarmUpDays)
                .Select(d => new DateTimeOffset(firstDay.AddDays(d).ToDateTime(new TimeOnly(10 + random.Next(0, 5), random.Next(0, 4) * 15)), TimeSpan.Zero))
                .Select(start => (Start: start, End: start.AddMinutes(length)))
                .ToList();

            var state = new KpiState(store);
            var monitor = new MinuteMonitor(store);
            AlertRule[] rules =
            [
                new() { Id = "revenue", TenantId = store.TenantId, Name = "Revenue anomaly", Kind = AlertRuleKind.Anomaly, Frequency = TimeSpan.FromMinutes(30) },
                new() { Id = "orders", TenantId = store.TenantId, Name = "Orders anomaly", Kind = AlertRuleKind.Anomaly, Metric = AlertMetric.Orders, Frequency = TimeSpan.FromMinutes(30) },
            ];
            var book = new AlertBook(store, []);
            var alerts = new List<Alert>();
            var n = 0;
            for (var d = 0; d < Days; d++)
            {
                var date = firstDay.AddDays(d);
                var orders = plan.DatasetDaysFor(date).SelectMany(day => invoices[day])
                    .Select(i => new DateTimeOffset(date.ToDateTime(TimeOnly.FromTimeSpan(i.Time)), TimeSpan.Zero) is var at ? (At: at, i.Total) : default)
                    .OrderBy(o => o.At)
                    .ToList();
                var next = 0;
                for (var minute = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); minute < new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); minute = minute.AddMinutes(1))
                {
                    var inDrop = drops.Any(x => minute >= x.Start && minute < x.End);
                    while (next < orders.Count && orders[next].At < minute.AddMinutes(1))
                    {
                        var o = orders[next++];

                        // A drop keeps each order with the drop's probability, as lost checkouts would.
                        if (!inDrop || random.NextDouble() < factor)
                        {
                            state.Apply(Order(store, $"o{n++}", o.At, o.Total));
                        }
                    }

                    foreach (var closed in monitor.Close(state, minute.AddMinutes(1).AddSeconds(1), "UTC", "GBP"))
                    {
                        alerts.AddRange(book.Process(closed, rules).OfType<AlertOpened>().Select(a => a.Alert));
                    }
                }
            }

            foreach (var rule in rules)
            {
                var judged = alerts.Where(a => a.RuleId == rule.Id && a.FiredAt >= new DateTimeOffset(firstDay.AddDays(WarmUpDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).ToList();
                bool Matches(Alert a, (DateTimeOffset Start, DateTimeOffset End) x) => a.FiredAt > x.Start && a.FiredAt <= x.End.AddMinutes(MinuteMonitor.WindowMinutes);
                var detected = drops.Where(x => judged.Any(a => Matches(a, x))).ToList();
                var truePositives = judged.Count(a => drops.Any(x => Matches(a, x)));
                var delays = detected.Select(x => (judged.Where(a => Matches(a, x)).Min(a => a.FiredAt) - x.Start).TotalMinutes).Order().ToList();
                var falsePerDay = (judged.Count - truePositives) / (double)(Days - WarmUpDays);
                Console.WriteLine($"| -{cut:P0} | {length} | {rule.Metric} | {drops.Count} | {detected.Count} ({(double)detected.Count / drops.Count:P0}) | {judged.Count} | {truePositives} ({(judged.Count == 0 ? 0 : (double)truePositives / judged.Count):P0}) | {(delays.Count == 0 ? "-" : delays[delays.Count / 2].ToString("0"))} | {falsePerDay:0.00} |");
            }
        }
    }

    private static OrderPlaced Order(StoreRef store, string id, DateTimeOffset at, decimal total) => new()
    {
        Store = store,
        Channel = SalesChannel.Shopify,
        EventId = id,
        OccurredAt = at,
        StoreTimeZone = "UTC",
        Currency = "GBP",
        OrderId = id,
        PlacedAt = at,
        Version = at,
        TotalPrice = total,
        Lines = [],
    };
}
