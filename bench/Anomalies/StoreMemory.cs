using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Bench.Anomalies;

/// <summary>
/// What one store's live state costs in memory once its buckets are full (9 days), for a store selling through three
/// channels with analytics sessions and hourly ad spend: the <see cref="KpiState"/> and the <see cref="MinuteMonitor"/>
/// with its detectors. Measured as the managed heap growth while the objects are alive (GC.GetTotalMemory after a full
/// collection), so it includes dictionaries, buckets and the dedupe memory.
/// </summary>
internal static class StoreMemory
{
    /// <summary>The issue's goals (issue 15 pt 7): a busy store's live state, and 10,000 small stores on one node.</summary>
    private const double BusyStoreGoalMiB = 6;
    private const double SmallStoresGoalGiB = 1;

    /// <param name="monitors">Small stores whose monitors are built and measured (each replays days of minutes).</param>
    /// <param name="busy">Whether the busy store is measured first (minutes of replay on a loaded machine).</param>
    public static void Run(bool shopifyIds, int smallStores, bool withMonitors, int monitors = 50, bool busy = true)
    {
        if (busy)
        {
            RunBusyStore(shopifyIds, withMonitors);
        }

        if (smallStores > 0)
        {
            RunSmallStores(smallStores, withMonitors, monitors);
        }
    }

    private static void RunBusyStore(bool shopifyIds, bool withMonitors)
    {
        var store = new StoreRef("bench", "memory");
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddDays(9);

        // Orders per minute at the daily peak per channel; nights run at a tenth of it.
        (SalesChannel Channel, double Peak)[] sellers = [(SalesChannel.Shopify, 4.0), (SalesChannel.Amazon, 1.5), (SalesChannel.WooCommerce, 0.5)];
        var random = new Random(7);
        var events = 0;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var state = new KpiState(store);
        for (var minute = start; minute < end; minute = minute.AddMinutes(1))
        {
            var hour = minute.UtcDateTime.TimeOfDay.TotalHours;
            var shape = 0.55 - (0.45 * Math.Cos((hour - 3) / 24 * 2 * Math.PI));
            foreach (var (channel, peak) in sellers)
            {
                for (var k = Poisson(random, peak * shape); k > 0; k--)
                {
                    var id = $"o{events++}";
                    var at = minute.AddSeconds(random.Next(60));
                    state.Apply(new OrderPlaced
                    {
                        Store = store, Channel = channel, EventId = shopifyIds ? WebhookId(random) : id, OccurredAt = at, StoreTimeZone = "UTC", Currency = "GBP",
                        OrderId = shopifyIds ? OrderId(events) : id, PlacedAt = at, Version = at, TotalPrice = 20m + random.Next(6000) / 100m,
                        Lines = [new OrderLine("SKU", "Item", 1, 20m)],
                    });
                }
            }

            for (var k = Poisson(random, 40 * shape); k > 0; k--)
            {
                var id = $"s{events++}";
                state.Apply(new SessionStarted
                {
                    Store = store, Channel = SalesChannel.GoogleAnalytics, EventId = shopifyIds ? WebhookId(random) : id, OccurredAt = minute, StoreTimeZone = "UTC", Currency = "GBP", SessionId = id,
                });
            }

            if (minute.Minute == 0)
            {
                var id = $"a{events++}";
                state.Apply(new AdSpendRecorded
                {
                    Store = store, Channel = SalesChannel.FacebookAds, EventId = id, OccurredAt = minute, StoreTimeZone = "UTC", Currency = "GBP",
                    CampaignId = "spring", Spend = 12.5m,
                });
            }
        }

        var afterState = GC.GetTotalMemory(forceFullCollection: true);
        var ids = shopifyIds ? "Shopify-shaped ids: 36-character webhook ids, 13-digit order ids" : "short ids: o123, s456";
        Console.WriteLine($"Store memory: 9 days, {events:N0} events ({string.Join(", ", sellers.Select(s => s.Channel))} selling; sessions; hourly ad spend; {ids}).");
        var stateMiB = (afterState - before) / 1024.0 / 1024.0;
        Console.WriteLine($"  KpiState: {stateMiB:F2} MiB (goal <= {BusyStoreGoalMiB} MiB: {(stateMiB <= BusyStoreGoalMiB ? "met" : "NOT met")}; {state.BucketCount:N0} minute buckets, {state.TrackedOrderCount:N0} orders, {state.RememberedEventIdCount:N0} event ids)");
        if (!withMonitors)
        {
            Console.WriteLine($"    KpiState's parts: {TakeApart(state)}");
            return;
        }

        var monitor = new MinuteMonitor(store);
        monitor.Close(state, end.AddSeconds(1), "UTC", "GBP");
        var afterMonitor = GC.GetTotalMemory(forceFullCollection: true);

        // What an entity pays after recovery, off its thread: replaying the retained minutes through every detector.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rebuilt = MinuteMonitor.Rebuild(MinuteMonitor.Capture(state, end.AddSeconds(1)), end.AddSeconds(1), "UTC", "GBP");
        var rebuildSeconds = clock.Elapsed.TotalSeconds;

        Console.WriteLine($"  MinuteMonitor (detectors, kept minutes): {(afterMonitor - afterState) / 1024.0 / 1024.0:F2} MiB ({monitor.Since(null).Count} minutes kept)");
        Console.WriteLine($"  Rebuild of the monitor after recovery ({MinuteMonitor.WarmUp.TotalMinutes:N0} minutes replayed): {rebuildSeconds:F1} s");
        GC.KeepAlive(rebuilt);
        GC.KeepAlive(monitor);
        Console.WriteLine($"    KpiState's parts: {TakeApart(state)}");
    }

    /// <summary>
    /// Many small stores (20 orders a day for 9 days, a session per order, Shopify-shaped ids) held at once: the managed
    /// heap growth divided by the stores, first for the live figures (what a passivated entity gives back), then with each
    /// store's minute monitor (its detectors and the order-drop test's week of minutes), which an awake store holds too.
    /// The entity actor itself comes on top.
    /// </summary>
    private static void RunSmallStores(int count, bool withMonitors, int monitorCount)
    {
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var states = new KpiState[count];
        var events = 0L;
        for (var s = 0; s < count; s++)
        {
            var store = new StoreRef("bench", $"small-{s}");
            var state = new KpiState(store);
            for (var day = 0; day < 9; day++)
            {
                for (var k = 0; k < 20; k++)
                {
                    var at = start.AddDays(day).AddSeconds(random.Next(86_400));
                    state.Apply(new SessionStarted
                    {
                        Store = store, Channel = SalesChannel.GoogleAnalytics, EventId = WebhookId(random), OccurredAt = at.AddMinutes(-3),
                        StoreTimeZone = "UTC", Currency = "GBP", SessionId = WebhookId(random),
                    });
                    state.Apply(new OrderPlaced
                    {
                        Store = store, Channel = SalesChannel.Shopify, EventId = WebhookId(random), OccurredAt = at, StoreTimeZone = "UTC", Currency = "GBP",
                        OrderId = OrderId(++events), PlacedAt = at, Version = at, TotalPrice = 20m + random.Next(6000) / 100m,
                        Lines = [new OrderLine("SKU", "Item", 1, 20m)],
                    });
                    events++;
                }
            }

            states[s] = state;
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perStore = (after - before) / (double)count;
        var projectedGiB = perStore * 10_000 / 1024 / 1024 / 1024;
        Console.WriteLine($"Small stores: {count:N0} stores x 9 days x 20 orders a day (+ a session each), {events:N0} events.");
        Console.WriteLine($"  KpiState per store: {perStore / 1024:F1} KiB; 10,000 stores: {projectedGiB:F3} GiB (goal <= {SmallStoresGoalGiB} GiB for the whole node: {(projectedGiB <= SmallStoresGoalGiB ? "met" : "NOT met")} for the live figures)");

        if (!withMonitors)
        {
            Console.WriteLine($"    KpiState's parts, per store: {TakeApart(states)}");
            return;
        }

        // A monitor's first close replays the store's retained minutes through every detector (seconds each), so its
        // memory is measured on the first few hundred stores and counted for all.
        var end = start.AddDays(9);
        var monitors = new MinuteMonitor[Math.Min(count, monitorCount)];
        for (var s = 0; s < monitors.Length; s++)
        {
            monitors[s] = new MinuteMonitor(new StoreRef("bench", $"small-{s}"));
            monitors[s].Close(states[s], end, "UTC", "GBP");
        }

        var awake = GC.GetTotalMemory(forceFullCollection: true);
        var monitorPerStore = (awake - after) / (double)monitors.Length;
        var awakeGiB = (perStore + monitorPerStore) * 10_000 / 1024 / 1024 / 1024;
        Console.WriteLine($"  MinuteMonitor per store ({monitors.Length} stores): {monitorPerStore / 1024:F1} KiB; 10,000 awake stores (state + monitor): {awakeGiB:F3} GiB (goal <= {SmallStoresGoalGiB} GiB: {(awakeGiB <= SmallStoresGoalGiB ? "met" : "NOT met")})");
        GC.KeepAlive(monitors);
        PrintMonitorParts(monitors);
        Console.WriteLine($"    KpiState's parts, per store: {TakeApart(states)}");
    }

    /// <summary>
    /// What each part of the states holds, per state: the heap given back when that part is let go, field by field
    /// (found by reflection, so a renamed field shows under its new name). It takes the states apart: call it last.
    /// </summary>
    private static string TakeApart(KpiState[] states)
    {
        var fields = typeof(KpiState).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Where(f => !f.FieldType.IsValueType).ToArray();
        var result = new List<string>();
        var total = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var field in fields)
        {
            foreach (var state in states)
            {
                field.SetValue(state, null);
            }

            var without = GC.GetTotalMemory(forceFullCollection: true);
            var bytes = (total - without) / (double)states.Length;
            result.Add(bytes >= 1024 * 1024 ? $"{field.Name} {bytes / 1024 / 1024:F2} MiB" : $"{field.Name} {bytes / 1024:F1} KiB");
            total = without;
        }

        GC.KeepAlive(states);
        return string.Join(", ", result);
    }

    private static string TakeApart(KpiState state) => TakeApart([state]);

    // Where a monitor's bytes are, by the field path that reaches them (HeapParts: layout sizes, no allocator slack), per
    // store; parts under 0.2 KiB a store are summed into one line.
    private static void PrintMonitorParts(MinuteMonitor[] monitors)
    {
        var parts = HeapParts.Of(monitors);
        var total = parts.Values.Sum() / (double)monitors.Length;
        Console.WriteLine($"    MinuteMonitor's parts by layout, per store ({total / 1024:F1} KiB in all):");
        var small = 0.0;
        foreach (var (path, bytes) in parts.OrderByDescending(p => p.Value))
        {
            var perStore = bytes / (double)monitors.Length;
            if (perStore < 0.2 * 1024)
            {
                small += perStore;
                continue;
            }

            Console.WriteLine($"      {perStore / 1024,7:F1} KiB  {(path.Length == 0 ? "(the monitor object)" : path)}");
        }

        Console.WriteLine($"      {small / 1024,7:F1} KiB  (parts under 0.2 KiB each)");
    }

    private static string WebhookId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string OrderId(long n) => (5_000_000_000_000L + n).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int Poisson(Random random, double lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= random.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }
}
