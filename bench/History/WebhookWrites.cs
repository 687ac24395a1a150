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
/// refund), as the history writer sends a quiet store's webhooks. Writes alternate between the product's write (a
/// handful of statements: only the kinds the batch holds, the rollups by one MERGE each) and stop 17's
/// (<see cref="DuckDbHistoryStore.EveryTableEveryWrite"/>: about 30 statements whatever the batch holds) on the same
/// store, so both see the same table and the machine's noise falls on both alike. Prints wall and process CPU and SQL
/// statements per write for each.
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
                + $"alternating product / stop 17 write; load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at start");

            var shapes = sample.Where(l => !l.IsCancellation && l.Quantity > 0).GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
                .Select(g => g.OrderBy(l => l.LineNumber).ToList()).ToList();
            var batches = HotHour.Batches(shapes, shop, end.AddMinutes(-30), writes, 1, 0.1).Take(writes).ToList();
            var wall = new[] { new List<double>(), new List<double>() };
            var cpu = new[] { new List<double>(), new List<double>() };
            var statements = new long[2];
            using var process = Process.GetCurrentProcess();
            for (var i = 0; i < batches.Count; i++)
            {
                // Pairs alternate which merge goes first, so neither always follows the other's cache misses.
                var which = (i + (i / 2)) % 2;
                store.EveryTableEveryWrite = which == 1;
                var statementsBefore = store.FactWriteStatements;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await store.WriteFactsAsync(batches[i], CancellationToken.None);
                wall[which].Add(watch.Elapsed.TotalMicroseconds);
                process.Refresh();
                cpu[which].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds);
                statements[which] += store.FactWriteStatements - statementsBefore;
            }

            Console.WriteLine("| write | writes | wall µs/write p50 | mean | CPU µs/write mean | statements/write |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, i) in new[] { ("product (the kinds held, one MERGE per rollup)", 0), ("stop 17 (every table, every write)", 1) })
            {
                var sorted = wall[i].Order().ToList();
                Console.WriteLine($"| {name} | {sorted.Count} | {sorted[sorted.Count / 2]:N0} | {sorted.Average():N0} | {cpu[i].Average():N0} | "
                    + $"{(double)statements[i] / sorted.Count:F1} |");
            }

            Console.WriteLine($"load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at the end");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
