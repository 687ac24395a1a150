using System.Diagnostics.Metrics;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// How a store's group commits behave: how big a batch is, how long its journal write (with the fsync) and its fold take,
/// how long the next batch waits to start, and how many events arrive while a write is under way. The webhook's tail
/// is made of these (bench/README, issue 15 pt 4), so the bench and an operator's collector read them by name.
/// </summary>
public sealed class GroupCommitMetrics : IDisposable
{
    public const string MeterName = "SalesDash.Engine.GroupCommit";

    private static readonly KeyValuePair<string, object?> DuringWrite = new("during_write", true);
    private static readonly KeyValuePair<string, object?> WhileIdle = new("during_write", false);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public GroupCommitMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        BatchSize = _meter.CreateHistogram<int>("salesdash.journal.batch.size", "{event}");
        WriteTime = _meter.CreateHistogram<double>("salesdash.journal.batch.write", "ms");
        FoldTime = _meter.CreateHistogram<double>("salesdash.journal.batch.fold", "ms");
        NextWriteDelay = _meter.CreateHistogram<double>("salesdash.journal.batch.next_delay", "ms");
        Arrivals = _meter.CreateCounter<long>("salesdash.journal.arrivals", "{event}");
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

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
