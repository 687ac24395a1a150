using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Engine.History.Snapshots;

/// <summary>
/// One per node: collects per-minute rows from the tenant entities and writes them to the snapshot store in
/// batches, so an entity never waits on I/O. Rows are absolute, so pending rows are coalesced by key (latest
/// wins). A row the store refuses is dead-lettered and the rest written; a full writer answers
/// <see cref="Refused"/>, and the entity marks those minutes dirty again and sends their (then newest) rows later,
/// so nothing is lost and nothing piles up here (see <see cref="BatchWriter{TBatch}"/>).
/// </summary>
public sealed class SnapshotWriter : BatchWriter<MinuteRowBatch>
{
    /// <summary>Rows held at most: a busy minute of 20,000 stores, each row a few hundred bytes.</summary>
    public const int DefaultCapacity = 20_000;

    public SnapshotWriter(IBatchSink<MinuteRowBatch> sink, BatchWriterSettings settings, TimeProvider time)
        : base(sink, settings, time)
    {
        Receive<Enqueue>(msg =>
        {
            if (!Refuses(msg.Force, msg.Rows.Count, new Refused(msg.Rows)))
            {
                Accept(pending => pending.AddRange(msg.Rows));
            }
        });
    }

    protected override string What => "minute rows";

    /// <summary>Rows to write; later rows for the same store-minute replace earlier ones.</summary>
    /// <param name="Force">Taken even when the writer is full: the entity is stopping.</param>
    public sealed record Enqueue(IReadOnlyList<MinuteKpiRow> Rows, bool Force = false);

    /// <summary>The writer is full: the sender writes these minutes again later (with their newest figures).</summary>
    public sealed record Refused(IReadOnlyList<MinuteKpiRow> Rows);
}

/// <summary>Minute rows keyed by store-minute, the latest row winning.</summary>
public sealed class MinuteRowBatch : IWriteBatch<MinuteRowBatch>
{
    private readonly Dictionary<(string TenantId, string StoreId, DateTimeOffset Minute), MinuteKpiRow> _rows = [];

    public int Count => _rows.Count;

    public IReadOnlyCollection<MinuteKpiRow> Rows => _rows.Values;

    public void AddRange(IEnumerable<MinuteKpiRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            _rows[(row.TenantId, row.StoreId, row.Minute)] = row;
        }
    }

    public void Absorb(MinuteRowBatch newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        AddRange(newer.Rows);
    }

    public (MinuteRowBatch First, MinuteRowBatch Second) Split()
    {
        var rows = _rows.Values.ToList();
        if (rows.Count < 2)
        {
            throw new InvalidOperationException("A batch of fewer than two rows cannot be split.");
        }

        var first = new MinuteRowBatch();
        var second = new MinuteRowBatch();
        first.AddRange(rows.Take(rows.Count / 2));
        second.AddRange(rows.Skip(rows.Count / 2));
        return (first, second);
    }

    public HistoryDeadLetter ToDeadLetter(Exception cause, DateTimeOffset at)
    {
        var row = _rows.Values.Single();
        return HistoryDeadLetter.Of(row.TenantId, row.StoreId, "minute", row.Minute.UtcDateTime.ToString("yyyy-MM-ddTHH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture),
            row, cause, at);
    }
}

/// <summary>Minute rows into the snapshot store; dead letters into the history store's dead-letter table.</summary>
public sealed class MinuteRowSink(IMinuteSnapshotStore store) : HistoryStoreSink<MinuteRowBatch>(store)
{
    public override Task WriteAsync(MinuteRowBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return store.WriteAsync(batch.Rows, cancellationToken);
    }
}

/// <summary>Starts the per-node <see cref="SnapshotWriter"/>, flushed during coordinated shutdown.</summary>
public static class SnapshotWriterHosting
{
    public static AkkaConfigurationBuilder AddSnapshotWriter(this AkkaConfigurationBuilder builder) =>
        builder.AddBatchWriter<SnapshotWriter, MinuteRowBatch>("minute-snapshot-writer", SnapshotWriter.DefaultCapacity,
            (resolver, settings, time) => Props.Create(() => new SnapshotWriter(new MinuteRowSink(resolver.GetService<IMinuteSnapshotStore>()), settings, time)));
}
