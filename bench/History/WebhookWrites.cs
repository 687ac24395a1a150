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
/// refund), as the history writer sends a quiet store's webhooks. Prints wall and process CPU and SQL statements per
/// write. The history write has one path: compare against another build's binary run back to back (bench/README.md).
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
                + $"load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at start");

            var shapes = sample.Where(l => !l.IsCancellation && l.Quantity > 0).GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
                .Select(g => g.OrderBy(l => l.LineNumber).ToList()).ToList();
            var batches = HotHour.Batches(shapes, shop, end.AddMinutes(-30), writes, 1, 0.1).Take(writes).ToList();
            var wall = new List<double>();
            var cpu = new List<double>();
            long statements = 0;
            using var process = Process.GetCurrentProcess();
            foreach (var batch in batches)
            {
                var statementsBefore = store.FactWriteStatements;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await store.WriteFactsAsync(batch, CancellationToken.None);
                wall.Add(watch.Elapsed.TotalMicroseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds);
                statements += store.FactWriteStatements - statementsBefore;
            }

            var sorted = wall.Order().ToList();
            Console.WriteLine("| write | writes | wall µs/write p50 | mean | CPU µs/write mean | statements/write |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| product | {sorted.Count} | {sorted[sorted.Count / 2]:N0} | {sorted.Average():N0} | {cpu.Average():N0} | "
                + $"{(double)statements / sorted.Count:F1} |");
            Console.WriteLine($"load average {(global::Bench.LoadAverage()).ToString("F2", CultureInfo.InvariantCulture)} at the end");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
