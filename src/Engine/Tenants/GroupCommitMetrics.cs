using System.Diagnostics.Metrics;
using SalesDash.Engine.Telemetry;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// How a store's group commits behave: how big a batch is, how long its journal write (with the fsync) and its fold take,
/// how long the next batch waits to start, and how many events arrive while a write is under way. The webhook's tail
/// is made of these (bench/README, issue 15 pt 4), so the bench and an operator's collector read them by name.
/// </summary>
public sealed class GroupCommitMetrics : HostedMeter
{
    public const string MeterName = "SalesDash.Engine.GroupCommit";

    private static readonly KeyValuePair<string, object?> DuringWrite = new("during_write", true);
    private static readonly KeyValuePair<string, object?> WhileIdle = new("during_write", false);

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public GroupCommitMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        BatchSize = Meter.CreateHistogram<int>("salesdash.journal.batch.size", "{event}");
        WriteTime = Meter.CreateHistogram<double>("salesdash.journal.batch.write", "ms");
        FoldTime = Meter.CreateHistogram<double>("salesdash.journal.batch.fold", "ms");
        NextWriteDelay = Meter.CreateHistogram<double>("salesdash.journal.batch.next_delay", "ms");
        Arrivals = Meter.CreateCounter<long>("salesdash.journal.arrivals", "{event}");
    }

    /// <summary>Events in one journal write.</summary>
    public Histogram<int> BatchSize { get; }

    /// <summary>From handing a batch to the journal to its first event confirmed: the write, its commit and fsync, and the hops.</summary>
    public Histogram<double> WriteTime { get; }

    /// <summary>From the first event of a batch confirmed to the last: folding and answering each.</summary>
    public Histogram<double> FoldTime { get; }

    /// <summary>From one batch done to the next handed to the journal while events were already pending.</summary>
    public Histogram<double> NextWriteDelay { get; }

    /// <summary>Events accepted for writing, tagged by whether a write was under way (they wait for the next batch) or not.</summary>
    public Counter<long> Arrivals { get; }

    /// <summary>Counts one event accepted for writing (tags made once, so a busy store allocates nothing here).</summary>
    public void Arrived(bool duringWrite) => Arrivals.Add(1, duringWrite ? DuringWrite : WhileIdle);

}
