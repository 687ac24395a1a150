using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver;
using SalesDash.Bench.History;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Snapshots.ClickHouse;

// History bench: writes N synthetic order lines (default 10M, from the Online Retail sample's distribution) to DuckDB and
// to ClickHouse, then times the 90-day dashboard (summary vs previous period, daily trend, channel and top-20 product
// breakdowns) on each. Prints machine, data size, import rows/s and query p50/p95. Not run by test.sh.
//   dotnet run -c Release --project bench/History -- [--lines 10000000] [--days 120] [--runs 20] [--clickhouse http://127.0.0.1:8123]
var options = Args.Parse(args);
var end = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
var store = new StoreRef("bench", "shop");
var csv = Path.GetFullPath(Path.Combine(Args.RepoRoot(), "..", "shared", "datasets", "online-retail", "online-retail-sample-30k.csv"));
var sample = await OnlineRetailCsv.ReadFileAsync(csv, CancellationToken.None);
var synthetic = new SyntheticHistory(sample.Lines);

Console.WriteLine("SalesDash history bench");
Console.WriteLine($"machine: {Machine.Describe()}");
Console.WriteLine($"data: {options.Lines:N0} order lines (~{options.Lines / synthetic.LinesPerOrder:N0} orders, {synthetic.LinesPerOrder:F2} lines/order as in "
    + $"the Online Retail sample) over {options.Days} days, one store; dashboard window: last 90 days vs the 90 before");

var results = new List<string>();
var duckPath = Path.Combine(Path.GetTempPath(), "salesdash-bench-history.duckdb");
File.Delete(duckPath);
File.Delete(duckPath + ".wal");
using (var duck = new DuckDbHistoryStore($"Data Source={duckPath}"))
{
    results.Add(await Bench.RunAsync("DuckDB", duck, synthetic, store, options, end));
}

Console.WriteLine($"  DuckDB file: {new FileInfo(duckPath).Length / (1024 * 1024):N0} MB");
File.Delete(duckPath);

if (options.ClickHouse is { } url)
{
    const string database = "salesdash_bench";
    using (var admin = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(url, "default") + ";JsonReadMode=None;JsonWriteMode=None"))
    {
        await admin.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}");
        using var version = await admin.ExecuteRawResultAsync("SELECT version() FORMAT TabSeparated");
        Console.WriteLine($"  ClickHouse server {(await version.ReadAsStringAsync()).Trim()} at {url}");
    }

    using var click = new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(url, database));
    results.Add(await Bench.RunAsync("ClickHouse", click, synthetic, store, options, end));
    if (!args.Contains("--keep"))
    {
        using var cleanup = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(url, "default") + ";JsonReadMode=None;JsonWriteMode=None");
        await cleanup.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}");
    }
}
else
{
    Console.WriteLine("  ClickHouse: skipped (no --clickhouse URL and no SALESDASH_CLICKHOUSE_URL)");
}

Console.WriteLine();
Console.WriteLine("| store | order lines | import rows/s | 90-day dashboard p50 | p95 |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var row in results)
{
    Console.WriteLine(row);
}

internal static class Bench
{
    public static async Task<string> RunAsync(string name, IHistoryStore store, SyntheticHistory synthetic, StoreRef shop, Args options, DateTimeOffset end)
    {
        await store.InitializeAsync(CancellationToken.None);
        Console.WriteLine($"{name}: importing...");
        var import = Stopwatch.StartNew();
        long lines = 0;
        foreach (var (batch, count) in synthetic.Generate(shop, options.Lines, options.Days, end, options.BatchLines))
        {
            await store.WriteFactsAsync(batch, CancellationToken.None);
            lines += count;
        }

        import.Stop();
        var rowsPerSecond = lines / import.Elapsed.TotalSeconds;
        Console.WriteLine($"  {lines:N0} lines in {import.Elapsed.TotalSeconds:F1} s = {rowsPerSecond:N0} lines/s");

        var queries = new HistoryQueries(store, new FixedClock(end));
        var request = new HistoryRequest(HistoryScope.Store(shop.TenantId, shop.StoreId), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"),
            PeriodKind.Last90, ComparisonKind.Previous);
        async Task<(decimal Gross, long Orders)> DashboardAsync()
        {
            var summary = await queries.SummaryAsync(request, CancellationToken.None);
            await queries.TrendAsync(request, TrendGrain.Day, CancellationToken.None);
            await queries.BreakdownAsync(request, BreakdownDimension.Channel, BreakdownMetric.Revenue, null, CancellationToken.None);
            await queries.BreakdownAsync(request, BreakdownDimension.Product, BreakdownMetric.Revenue, 20, CancellationToken.None);
            return (summary.Kpis.GrossRevenue.Value ?? 0m, (long)(summary.Kpis.Orders.Value ?? 0m));
        }

        var (gross, orders) = await DashboardAsync();
        await DashboardAsync();
        var timings = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await DashboardAsync();
            timings.Add(watch.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        var p50 = Percentile(timings, 0.50);
        var p95 = Percentile(timings, 0.95);
        Console.WriteLine($"  90-day dashboard ({orders:N0} orders, {gross:N2} GBP in the window): p50 {p50:F0} ms, p95 {p95:F0} ms over {options.Runs} runs");
        return $"| {name} | {lines:N0} | {rowsPerSecond:N0} | {p50:F0} ms | {p95:F0} ms |";
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed record Args(long Lines, int Days, int Runs, int BatchLines, Uri? ClickHouse)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var url = Value("--clickhouse") ?? Environment.GetEnvironmentVariable("SALESDASH_CLICKHOUSE_URL");
        return new Args(
            long.Parse(Value("--lines") ?? "10000000", CultureInfo.InvariantCulture),
            int.Parse(Value("--days") ?? "120", CultureInfo.InvariantCulture),
            int.Parse(Value("--runs") ?? "20", CultureInfo.InvariantCulture),
            int.Parse(Value("--batch") ?? "200000", CultureInfo.InvariantCulture),
            string.IsNullOrWhiteSpace(url) ? null : new Uri(url));
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

internal static class Machine
{
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memory:F0} GB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, "
            + $".NET {Environment.Version}";
    }
}
