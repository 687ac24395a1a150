using System.Diagnostics.Metrics;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// How a store's group commits behave: how big a batch is, how long its journal write (with the fsync) and its fold take,
/// how long the next batch waits to start, and how many events arrive while a write is under way. The webhook's tail
/// is made of these (bench/README, issue 15 pt 4), so the bench and an operator's collector read them by name.
/// </summary>
public static class GroupCommitMetrics
{
    public const string MeterName = "SalesDash.Engine.GroupCommit";

    // One set of instruments for the node: entities are created by sharding (no container to hand them a factory), and
    // instruments are thread-safe and keep nothing of ours; a listener that is not attached makes each record a no-op.
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Events in one journal write.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("salesdash.journal.batch.size", "{event}");

    /// <summary>From handing a batch to the journal to its first event confirmed: the write, its commit and fsync, and the hops.</summary>
    public static readonly Histogram<double> WriteTime = Meter.CreateHistogram<double>("salesdash.journal.batch.write", "ms");

    /// <summary>From the first event of a batch confirmed to the last: folding and answering each.</summary>
    public static readonly Histogram<double> FoldTime = Meter.CreateHistogram<double>("salesdash.journal.batch.fold", "ms");

    /// <summary>From one batch done to the next handed to the journal while events were already pending.</summary>
    public static readonly Histogram<double> NextWriteDelay = Meter.CreateHistogram<double>("salesdash.journal.batch.next_delay", "ms");

    /// <summary>Events accepted for writing, tagged by whether a write was under way (they wait for the next batch) or not.</summary>
    public static readonly Counter<long> Arrivals = Meter.CreateCounter<long>("salesdash.journal.arrivals", "{event}");

    private static readonly KeyValuePair<string, object?> DuringWrite = new("during_write", true);
    private static readonly KeyValuePair<string, object?> WhileIdle = new("during_write", false);

    /// <summary>Counts one event accepted for writing (tags made once, so a busy store allocates nothing here).</summary>
    public static void Arrived(bool duringWrite) => Arrivals.Add(1, duringWrite ? DuringWrite : WhileIdle);
}
