using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver;
using SalesDash.Bench.History;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Engine.History.DuckDb;

// History bench: writes N synthetic order lines (default 10M, from the Online Retail sample's distribution) to DuckDB and
// to ClickHouse through IHistoryStore.WriteFactsAsync (facts and their hourly rollups), then times the 90-day dashboard
// (summary vs previous period, daily trend, channel breakdown, top-10 products) from the rollups and, in the same run and
// process, the same dashboard from the facts alone (the baseline: a second store object on the same database with
// ReadRollups = false). Checks both give the same figures, prints p50/p95 of each and the load average. Not run by test.sh.
//   dotnet run -c Release --project bench/History -- [--lines 10000000] [--days 120] [--runs 20] [--baseline-runs 5] [--clickhouse http://127.0.0.1:8123]
// With --hot-hour it times the writes of one busy hour instead (see HotHour).
var options = Args.Parse(args);
var end = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
var store = new StoreRef("bench", "shop");
var csv = Path.GetFullPath(Path.Combine(Args.RepoRoot(), "..", "shared", "datasets", "online-retail", "online-retail-sample-30k.csv"));
var sample = await OnlineRetailCsv.ReadFileAsync(csv, CancellationToken.None);
if (args.Contains("--hot-hour"))
{
    Console.WriteLine($"SalesDash history bench, hot hour; machine: {Machine.Describe()}");
    await HotHour.RunAsync(args, [.. sample.Lines]);
    return;
}

var synthetic = new SyntheticHistory(sample.Lines);
if (args.Contains("--webhook-writes"))
{
    Console.WriteLine($"SalesDash history bench, webhook-sized writes; machine: {Machine.Describe()}");
    await WebhookWrites.RunAsync(args, [.. sample.Lines], synthetic, end);
    return;
}

Console.WriteLine("SalesDash history bench");
Console.WriteLine($"machine: {Machine.Describe()}");
Console.WriteLine($"data: {options.Lines:N0} order lines (~{options.Lines / synthetic.LinesPerOrder:N0} orders, {synthetic.LinesPerOrder:F2} lines/order as in "
    + $"the Online Retail sample) over {options.Days} days, one store; dashboard window: last 90 days vs the 90 before");

var results = new List<string>();
var duckPath = Path.Combine(Path.GetTempPath(), "salesdash-bench-history.duckdb");
File.Delete(duckPath);
File.Delete(duckPath + ".wal");
// --only clickhouse (or duckdb) runs one store: each half of a 10M-line run takes minutes.
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
if (only is null or "duckdb")
{
    using (var duck = new DuckDbHistoryStore($"Data Source={duckPath}"))
    using (var duckFacts = new DuckDbHistoryStore($"Data Source={duckPath}") { ReadRollups = false })
    {
        results.Add(await Bench.RunAsync("DuckDB", duck, duckFacts, synthetic, store, options, end));
    }

    Console.WriteLine($"  DuckDB file: {new FileInfo(duckPath).Length / (1024 * 1024):N0} MB");
    File.Delete(duckPath);
}

if (only is "duckdb")
{
    Console.WriteLine("  ClickHouse: skipped (--only duckdb)");
}
else if (options.ClickHouse is { } url)
{
    const string database = "salesdash_bench";
    using (var admin = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(url, "default") + ";JsonReadMode=None;JsonWriteMode=None"))
    {
        await admin.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}");
        using var version = await admin.ExecuteRawResultAsync("SELECT version() FORMAT TabSeparated");
        Console.WriteLine($"  ClickHouse server {(await version.ReadAsStringAsync()).Trim()} at {url}");
    }

    using var click = new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(url, database));
    using var clickFacts = new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(url, database)) { ReadRollups = false };
    results.Add(await Bench.RunAsync("ClickHouse", click, clickFacts, synthetic, store, options, end));
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
Console.WriteLine("| store | order lines | import lines/s | 90-day dashboard from rollups p50 | p95 | baseline (facts) p50 | p95 | load avg (1 min) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var row in results)
{
    Console.WriteLine(row);
}

internal static class Bench
{
    public static async Task<string> RunAsync(
        string name, IHistoryStore store, IHistoryStore facts, SyntheticHistory synthetic, StoreRef shop, Args options, DateTimeOffset end)
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
        Console.WriteLine($"  {lines:N0} lines in {import.Elapsed.TotalSeconds:F1} s = {rowsPerSecond:N0} lines/s (facts and rollups)");

        var request = new HistoryRequest(HistoryScope.Store(shop.TenantId, shop.StoreId), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"),
            PeriodKind.Last90, ComparisonKind.Previous);
        var (timed, times) = QueryTimes.Wrap(store);
        var rolled = new HistoryQueries(timed, new FixedClock(end));
        var baseline = new HistoryQueries(facts, new FixedClock(end));

        // Warm both, and check they agree on every figure the dashboard shows before timing either.
        var expected = await DashboardAsync(baseline, request);
        var actual = await DashboardAsync(rolled, request);
        if (expected != actual)
        {
            throw new InvalidOperationException($"{name}: the rollups disagree with the facts:\n{actual}\n{expected}");
        }

        await DashboardAsync(rolled, request);
        times.Clear();
        var load = new List<double> { LoadAverage() };
        var fast = await TimeAsync(rolled, request, options.Runs);
        load.Add(LoadAverage());
        Console.WriteLine("  each query of the dashboard from the rollups (the store's call, HTTP and parsing included):");
        foreach (var line in times.Report())
        {
            Console.WriteLine(line);
        }

        var slow = await TimeAsync(baseline, request, options.BaselineRuns);
        load.Add(LoadAverage());
        Console.WriteLine($"  90-day dashboard ({expected.Orders:N0} orders, {expected.Gross:N2} GBP in the window, same figures both ways): "
            + $"rollups p50 {fast.P50:F0} ms, p95 {fast.P95:F0} ms over {options.Runs} runs; facts p50 {slow.P50:F0} ms, p95 {slow.P95:F0} ms over "
            + $"{options.BaselineRuns} runs; load average {string.Join(" / ", load.Select(l => l.ToString("F1", CultureInfo.InvariantCulture)))}");
        return $"| {name} | {lines:N0} | {rowsPerSecond:N0} | {fast.P50:F0} ms | {fast.P95:F0} ms | {slow.P50:F0} ms | {slow.P95:F0} ms | "
            + $"{load.Min():F1}–{load.Max():F1} |";
    }

    private static async Task<(double P50, double P95)> TimeAsync(HistoryQueries queries, HistoryRequest request, int runs)
    {
        var timings = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await DashboardAsync(queries, request);
            timings.Add(watch.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        return (Percentile(timings, 0.50), Percentile(timings, 0.95));
    }

    /// <summary>What one history page asks for; the record compares every figure shown.</summary>
    private static async Task<Shown> DashboardAsync(HistoryQueries queries, HistoryRequest request)
    {
        var summary = await queries.SummaryAsync(request, CancellationToken.None);
        var trend = await queries.TrendAsync(request, TrendGrain.Day, CancellationToken.None);
        var channels = await queries.BreakdownAsync(request, BreakdownDimension.Channel, BreakdownMetric.Revenue, null, CancellationToken.None);
        var products = await queries.BreakdownAsync(request, BreakdownDimension.Product, BreakdownMetric.Revenue, 10, CancellationToken.None);
        return new Shown(summary.Kpis.GrossRevenue.Value ?? 0m, (long)(summary.Kpis.Orders.Value ?? 0m),
            string.Join("\n", summary.Kpis, string.Join(";", trend.Points), string.Join(";", channels.Rows), string.Join(";", products.Rows)));
    }

    /// <summary>The 1-minute load average; NaN where /proc/loadavg does not exist.</summary>
    internal static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record Shown(decimal Gross, long Orders, string Figures);
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed record Args(long Lines, int Days, int Runs, int BaselineRuns, int BatchLines, Uri? ClickHouse)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var url = Value("--clickhouse") ?? Environment.GetEnvironmentVariable("SALESDASH_CLICKHOUSE_URL");
        return new Args(
            long.Parse(Value("--lines") ?? "10000000", CultureInfo.InvariantCulture),
            int.Parse(Value("--days") ?? "120", CultureInfo.InvariantCulture),
            int.Parse(Value("--runs") ?? "20", CultureInfo.InvariantCulture),
            int.Parse(Value("--baseline-runs") ?? "5", CultureInfo.InvariantCulture),
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
