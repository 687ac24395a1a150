using System.Diagnostics;
using System.Globalization;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History.DuckDb;

namespace SalesDash.Bench.History;

/// <summary>
/// The cost of one webhook-sized write into a store that already holds a long history (issue 15): <c>--webhook-writes</c>
/// fills one DuckDB store with <c>--lines</c> order lines (the synthetic history, in bulk batches), then writes
/// <c>--writes</c> batches of one new order each (about one in ten followed later by a newer version, one in 33 with a
/// refund), as the history writer sends a quiet store's webhooks. Writes alternate between the product's merge and the
/// old one (<see cref="DuckDbHistoryStore.DeleteHeldByScan"/>: every written order looked up in the whole order and
/// line tables) on the same store, so both see the same table and the machine's noise falls on both alike. Prints wall
/// and process CPU per write for each.
///   dotnet run -c Release --project bench/History -- --webhook-writes [--lines 1000000] [--writes 400]
/// </summary>
internal static class WebhookWrites
{
    public static async Task RunAsync(string[] args, IReadOnlyList<RetailLine> sample, SyntheticHistory synthetic, DateTimeOffset end)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var lines = long.Parse(Value("--lines") ?? "1000000", CultureInfo.InvariantCulture);
        var writes = int.Parse(Value("--writes") ?? "400", CultureInfo.InvariantCulture);

        var folder = Directory.CreateTempSubdirectory("salesdash-webhook-writes");
        try
        {
            using var store = new DuckDbHistoryStore($"Data Source={Path.Combine(folder.FullName, "history.duckdb")}");
            await store.InitializeAsync(CancellationToken.None);
            var shop = new StoreRef("bench", "shop");
            var import = Stopwatch.StartNew();
            foreach (var (batch, _) in synthetic.Generate(shop, lines, 120, end, 200_000))
            {
                await store.WriteFactsAsync(batch, CancellationToken.None);
            }

            Console.WriteLine($"filled: {lines:N0} order lines in {import.Elapsed.TotalSeconds:F0} s; then {writes:N0} webhook-sized writes, "
                + $"alternating product / old merge; load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at start");

            var shapes = sample.Where(l => !l.IsCancellation && l.Quantity > 0).GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
                .Select(g => g.OrderBy(l => l.LineNumber).ToList()).ToList();
            var batches = HotHour.Batches(shapes, shop, end.AddMinutes(-30), writes, 1, 0.1).Take(writes).ToList();
            var wall = new[] { new List<double>(), new List<double>() };
            var cpu = new[] { new List<double>(), new List<double>() };
            using var process = Process.GetCurrentProcess();
            for (var i = 0; i < batches.Count; i++)
            {
                // Pairs alternate which merge goes first, so neither always follows the other's cache misses.
                var which = (i + (i / 2)) % 2;
                store.DeleteHeldByScan = which == 1;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await store.WriteFactsAsync(batches[i], CancellationToken.None);
                wall[which].Add(watch.Elapsed.TotalMicroseconds);
                process.Refresh();
                cpu[which].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds);
            }

            Console.WriteLine("| merge | writes | wall µs/write p50 | mean | CPU µs/write mean |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, i) in new[] { ("product (replaced versions only, by zone map)", 0), ("old (every key looked up in the whole tables)", 1) })
            {
                var sorted = wall[i].Order().ToList();
                Console.WriteLine($"| {name} | {sorted.Count} | {sorted[sorted.Count / 2]:N0} | {sorted.Average():N0} | {cpu[i].Average():N0} |");
            }

            Console.WriteLine($"load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at the end");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
