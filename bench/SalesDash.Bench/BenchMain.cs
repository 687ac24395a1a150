using System.Globalization;

namespace SalesDash.Bench;

/// <summary>
/// Posts signed Shopify webhooks at SalesDash and prints accepted webhooks/s and event-to-tile latency (see README.md).
/// Not top-level statements: the app under test already owns the global Program type.
/// </summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // The report is printed after the in-process server has stopped, so its shutdown log lines do not bury the figures.
        var report = new List<string>();
        var server = options.Url is null ? InProcessServer.Start(options) : null;
        int exitCode;
        try
        {
            exitCode = await RunAsync(options, server, report, stop.Token);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        foreach (var line in report)
        {
            Console.WriteLine(line);
        }

        return exitCode;
    }

    private static async Task<int> RunAsync(BenchOptions options, InProcessServer? server, List<string> report, CancellationToken ct)
    {
        var time = TimeProvider.System;
        var inv = CultureInfo.InvariantCulture;
        var baseAddress = options.Url ?? server!.BaseAddress;
        report.Add(string.Create(inv,
            $"SalesDash bench: {options.Orders} orders, {options.Concurrency} concurrent clients, {(server is null ? "target" : "in-process at")} {baseAddress} ({Environment.ProcessorCount} cores)"));

        // Deterministic order totals from 5.00 to 499.99, so two runs post the same money.
        var random = new Random(42);
        var orderIds = 1_000_000_000L + time.GetUtcNow().ToUnixTimeSeconds() % 1_000_000 * 1_000;
        List<ShopifyOrderWebhook> Orders(int count) =>
            [.. Enumerable.Range(0, count).Select(_ =>
                ShopifyOrderWebhook.Create(orderIds++, 5m + random.Next(0, 49_500) / 100m, time.GetUtcNow(), options.WebhookSecret))];

        if (options.Warmup > 0)
        {
            var warm = await WebhookLoad.RunAsync(baseAddress, options.ShopDomain, Orders(options.Warmup), options.Concurrency, time, ct);
            var failed = warm.Where(r => !r.Accepted).ToList();
            if (failed.Count > 0)
            {
                report.Add($"{failed.Count} warm-up POSTs failed (first: HTTP {failed[0].Status}): check --url, --shop-domain and --secret.");
                return 1;
            }
        }

        await using var watcher = await TileWatcher.SubscribeAsync(baseAddress, options, time, ct);
        var baseline = watcher.Initial;

        var measured = Orders(options.Orders);
        var started = time.GetTimestamp();
        var posts = await WebhookLoad.RunAsync(baseAddress, options.ShopDomain, measured, options.Concurrency, time, ct);
        var elapsed = time.GetElapsedTime(started);

        var accepted = posts.Count(p => p.Accepted);
        var settled = await watcher.WaitForAsync(baseline.EventsApplied + accepted, options.SettleTimeout, ct);
        var pushes = watcher.Observations;

        var latencies = LatencyReport.EventToTile(posts, baseline.EventsApplied, pushes, time.TimestampFrequency);
        var seen = latencies.Where(l => l is not null).Select(l => l!.Value * 1000).Order().ToList();
        var postTimes = posts.Where(p => p.Accepted).Select(p => (p.RespondedAt - p.SentAt) * 1000.0 / time.TimestampFrequency).Order().ToList();
        var expectedGross = baseline.GrossRevenue.Value + posts.Where(p => p.Accepted).Sum(p => p.TotalPrice);
        var shownGross = pushes.Count > 0 ? pushes[^1].GrossRevenue : baseline.GrossRevenue.Value;

        string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "0", inv) + " ms";
        var failures = posts.Where(p => !p.Accepted).GroupBy(p => p.Status).Select(g => $"{g.Count()} x HTTP {g.Key}");
        report.Add(string.Create(inv, $"accepted webhooks   {accepted} of {posts.Length}{(accepted < posts.Length ? " (" + string.Join(", ", failures) + ")" : "")}"));
        report.Add(string.Create(inv, $"throughput          {accepted / elapsed.TotalSeconds:0} accepted webhooks/s ({elapsed.TotalSeconds:0.00} s)"));
        report.Add($"POST round trip     p50 {Ms(LatencyReport.Percentile(postTimes, 50))}, p99 {Ms(LatencyReport.Percentile(postTimes, 99))}");
        report.Add($"event-to-tile       p50 {Ms(LatencyReport.Percentile(seen, 50))}, p99 {Ms(LatencyReport.Percentile(seen, 99))}, " +
            $"max {Ms(seen.Count > 0 ? seen[^1] : double.NaN)} ({seen.Count} of {accepted} events seen on a tile, {pushes.Count} tile pushes)");
        report.Add(string.Create(inv, $"gross revenue tile  {shownGross} (expected {expectedGross}): {(shownGross == expectedGross ? "matches" : "MISMATCH")}"));

        if (!settled || accepted < posts.Length || shownGross != expectedGross)
        {
            report.Add(settled ? "Some webhooks failed or the tile disagrees with what was posted." : $"No tile push covered every event within {options.SettleTimeout.TotalSeconds:0} s.");
            return 1;
        }

        return 0;
    }
}
