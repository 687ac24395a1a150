using System.Diagnostics;
using System.Globalization;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;

namespace SalesDash.Bench.Kafka;

/// <summary>
/// Where a folded record's allocation goes (<c>--fold-stages N</c>), without Kafka or the app: the same records as the
/// fold bench's, each stage run on this thread over all of them, with the bytes it allocated and the process's CPU per record.
/// Bytes do not move with the machine's load, so this splits the fold bench's "KB allocated per record" even on a shared
/// box. The history hand-off is shown both ways: a fact batch per event (main before stop 19) and one per delivery.
/// </summary>
internal static class FoldStages
{
    /// <summary>Kafka:MaxRecordsPerDelivery's default: the records one entity gets in one message from a deep backlog.</summary>
    private const int Delivery = 50;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(KafkaBenchOptions options, TimeProvider time, List<string> report)
    {
        var store = new StoreProfile(new StoreRef(options.Store.TenantId, options.Store.StoreId), "Bench shop", SalesChannel.Shopify,
            options.Store.ShopDomain, "USD", "UTC", options.Store.WebhookSecret);
        var random = new Random(42);
        var orderIds = 2_000_000_000L;
        var values = new List<byte[]>(options.Events);
        for (var i = 0; i < options.Events; i++)
        {
            var webhook = ShopifyOrderWebhook.Create(orderIds++, 5m + random.Next(0, 49_500) / 100m, time.GetUtcNow(), options.Store.WebhookSecret, options.Store.BodyBytes);
            values.Add(TopicRecord.From(webhook, store).Value);
        }

        report.Add(string.Create(Inv, $"fold stages         {values.Count} records of {values.Average(v => v.Length):0} bytes, one store, this thread; load {MachineFacts.LoadAverage()}"));
        var events = new CommerceEvent[values.Count];
        Stage(report, "decode (CommerceEventCodec)", values.Count, () =>
        {
            for (var i = 0; i < values.Count; i++)
            {
                events[i] = CommerceEventCodec.Decode(values[i]);
            }
        });

        var state = new KpiState(store.Store);
        var now = time.GetUtcNow();
        var dirty = new HashSet<DateTimeOffset>();
        Stage(report, "fold (guard, Decide, TryApply)", events.Length, () =>
        {
            foreach (var e in events)
            {
                // As the Kafka-mode entity folds a record (TenantStoreActor.FoldFromKafka).
                if (CommerceEventGuard.Check(e, now) is null && state.Decide(e) == IngestOutcome.Accepted)
                {
                    _ = state.TryApplyDecided(e, dirty);
                }
            }
        });

        var pending = new HistoryBatch();
        Stage(report, "history hand-off, a batch per event", events.Length, () =>
        {
            foreach (var e in events)
            {
                var facts = new HistoryBatch();
                facts.Add(e);
                pending.AddRange(facts);
            }
        });

        pending = new HistoryBatch();
        Stage(report, $"history hand-off, a batch per {Delivery}", events.Length, () =>
        {
            foreach (var chunk in events.Chunk(Delivery))
            {
                var facts = new HistoryBatch();
                foreach (var e in chunk)
                {
                    facts.Add(e);
                }

                pending.AddRange(facts);
            }
        });

        // What a leading-edge publish costs the entity: its tiles, and the minute rows of what changed since the last one.
        const int publishes = 200;
        Stage(report, $"one publish: tiles of a {events.Length}-order store", publishes, () =>
        {
            for (var i = 0; i < publishes; i++)
            {
                _ = state.Tiles(now, "UTC", "USD");
            }
        });

        // The fold bench's 1,000 stores hold about 31 orders each: what one of their publishes costs.
        var small = new KpiState(store.Store);
        foreach (var e in events.Take(31))
        {
            if (small.Decide(e) == IngestOutcome.Accepted)
            {
                _ = small.TryApply(e, out _);
            }
        }

        Stage(report, "one publish: tiles of a 31-order store", publishes, () =>
        {
            for (var i = 0; i < publishes; i++)
            {
                _ = small.Tiles(now, "UTC", "USD");
            }
        });

        var minutes = dirty.Take(1).ToArray();
        Stage(report, "one publish: a minute's row (per publish)", publishes, () =>
        {
            for (var i = 0; i < publishes; i++)
            {
                _ = state.Rows(minutes, "USD");
            }
        });

        return 0;
    }

    private static void Stage(List<string> report, string name, int items, Action run)
    {
        // JIT of the stage's code is included; run with DOTNET_TieredCompilation=0 it is a few ms over the whole run.
        GC.Collect();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpu();
        run();
        cpu = ThreadCpu() - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        report.Add(string.Create(Inv, $"  {name,-44} {bytes / (double)items,9:0} bytes, {cpu.TotalMicroseconds / items,8:0.0} us cpu per item"));
    }

    private static TimeSpan ThreadCpu()
    {
        // The process's CPU time (this thread and the GC's): other sessions' load delays it but does not add to it.
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
