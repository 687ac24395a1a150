using Akka.Actor;
using Confluent.Kafka;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Support.Kafka;

/// <summary>What the Kafka ingestion tests share: options for a mock cluster, committed offsets, waiting.</summary>
internal static class KafkaTestKit
{
    public static KafkaOptions OptionsFor(MockKafkaCluster cluster, string topic, int partitions) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Topic = topic,
        ConsumerGroup = $"{topic}-engine",
        Partitions = partitions,
        CommitInterval = TimeSpan.FromMilliseconds(100),
        Properties =
        {
            // The mock cluster answers in microseconds; short backoffs keep a broker outage test short.
            ["reconnect.backoff.ms"] = "50",
            ["reconnect.backoff.max.ms"] = "500",
            ["retry.backoff.ms"] = "50",
            ["log_level"] = "3",
        },
        ConsumerProperties =
        {
            // A member that stops heartbeating is noticed in seconds, so rebalances in tests settle quickly.
            ["session.timeout.ms"] = "3000",
            ["heartbeat.interval.ms"] = "500",
        },
    };

    /// <summary>Sum over partitions of the group's committed offset: records committed, since every partition starts at 0.</summary>
    public static long CommittedTotal(KafkaOptions options)
    {
        var config = new ConsumerConfig { BootstrapServers = options.BootstrapServers, GroupId = options.ConsumerGroup };
        config.Set("log_level", "3");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        var partitions = Enumerable.Range(0, options.Partitions).Select(p => new TopicPartition(options.Topic, p));
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10)).Sum(o => o.Offset == Offset.Unset ? 0 : o.Offset.Value);
    }

    /// <summary>Sum over partitions of the high watermark: how many records the topic holds.</summary>
    public static long RecordsInTopic(KafkaOptions options)
    {
        var config = new ConsumerConfig { BootstrapServers = options.BootstrapServers, GroupId = $"{options.ConsumerGroup}-probe" };
        config.Set("log_level", "3");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        return Enumerable.Range(0, options.Partitions)
            .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(options.Topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0}s waiting until {what}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Waits until the group has committed <paramref name="records"/> records. No deadline on the whole wait: committing
    /// means folding, checkpointing (the writers' flush included) and committing every record, whose wall time grows with
    /// the machine's load (at load 80 a fixed 40 s ran out while the work was still moving). It gives up only when neither
    /// the committed offsets nor <paramref name="work"/> (what the test counts of the entities' answers, if anything) have
    /// moved for <paramref name="stalledFor"/>, or when <paramref name="run"/> (the pipeline) has ended without committing them.
    /// </summary>
    public static async Task WaitUntilCommittedAsync(KafkaOptions options, long records, TimeSpan stalledFor, string what,
        Func<long>? work = null, Task? run = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = (Committed: -1L, Work: -1L);
        var lastMove = DateTime.UtcNow;
        while (true)
        {
            var now = (Committed: CommittedTotal(options), Work: work?.Invoke() ?? 0);
            if (now.Committed == records)
            {
                return;
            }

            if (now != seen)
            {
                seen = now;
                lastMove = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastMove > stalledFor)
            {
                throw new TimeoutException($"Nothing moved for {stalledFor.TotalSeconds:0}s ({now.Committed} committed) waiting until {what}.");
            }

            if (run is { IsCompleted: true } && CommittedTotal(options) != records)
            {
                await run;
                throw new InvalidOperationException($"The pipeline ended with {CommittedTotal(options)} committed, waiting until {what}.");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>Produces all events in the given order without awaiting each one, so the producer batches them.</summary>
    public static async Task<IngestOutcome[]> ProduceAllAsync(ICommerceEventIngest ingest, IEnumerable<CommerceEvent> events) =>
        await Task.WhenAll(events.Select(e => ingest.IngestAsync(e, TestContext.Current.CancellationToken)).ToArray());
}

/// <summary>
/// Stands in for the shard region: remembers every delivered event in arrival order and answers each delivery
/// Accepted and durable (as a journaling engine would), or holds the answers back while closed (an engine that has
/// fallen behind) until <see cref="Open"/>.
/// </summary>
internal sealed class RecordingRegion : ReceiveActor
{
    private readonly List<(IActorRef Sender, TenantStore.BatchRecorded Answer)> _held = [];
    private bool _open;

    public RecordingRegion(RecordingLog log, bool open)
    {
        _open = open;
        Receive<TenantStore.RecordBatch>(batch =>
        {
            foreach (var record in batch.Records)
            {
                log.Add(record.Event);
            }

            var answer = new TenantStore.BatchRecorded([.. batch.Records.Select(_ => IngestOutcome.Accepted)], batch.Records[^1].Offset);
            if (_open)
            {
                Sender.Tell(answer);
            }
            else
            {
                _held.Add((Sender, answer));
                log.Held = _held.Count;
            }
        });
        Receive<Open>(_ =>
        {
            _open = true;
            foreach (var (sender, answer) in _held)
            {
                sender.Tell(answer);
            }

            _held.Clear();
            log.Held = 0;
        });
    }

    public static Props PropsFor(RecordingLog log, bool open = true) => Props.Create(() => new RecordingRegion(log, open));

    public sealed class Open
    {
        public static readonly Open Instance = new();
    }
}

/// <summary>What a <see cref="RecordingRegion"/> saw, readable from the test thread.</summary>
internal sealed class RecordingLog
{
    private readonly object _gate = new();
    private readonly List<CommerceEvent> _events = [];
    private int _held;

    public int Held
    {
        get => Volatile.Read(ref _held);
        set => Volatile.Write(ref _held, value);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    public IReadOnlyList<CommerceEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public void Add(CommerceEvent commerceEvent)
    {
        lock (_gate)
        {
            _events.Add(commerceEvent);
        }
    }
}

/// <summary>
/// Sits in front of the real shard region and counts the records it forwards and the outcomes that come back. Once
/// more than <c>passReplies</c> records are answered it swallows the answers: the entities still fold those records,
/// but the stream never learns it, as when a node dies between the fold and the offset commit. Checkpoint requests
/// pass through.
/// </summary>
internal sealed class CountingForwarder : ReceiveActor
{
    public CountingForwarder(IActorRef region, ForwardCounts counts, int passReplies)
    {
        Receive<TenantStore.RecordBatch>(batch =>
        {
            Interlocked.Add(ref counts.Forwarded, batch.Records.Count);
            foreach (var record in batch.Records)
            {
                counts.Offsets.TryAdd((batch.Partition, record.Offset), 0);
            }

            var replyTo = Sender;
            region.Ask<TenantStore.BatchRecorded>(batch, TimeSpan.FromSeconds(30)).PipeTo(Self, success: r => new Reply(replyTo, r));
        });
        Receive<TenantStore.Checkpoint>(checkpoint => region.Forward(checkpoint));
        Receive<Reply>(reply =>
        {
            Interlocked.Add(ref counts.Duplicates, reply.Recorded.Outcomes.Count(o => o == IngestOutcome.Duplicate));
            Interlocked.Add(ref counts.Accepted, reply.Recorded.Outcomes.Count(o => o != IngestOutcome.Duplicate));
            if (Interlocked.Add(ref counts.Answered, reply.Recorded.Outcomes.Count) <= passReplies)
            {
                reply.ReplyTo.Tell(reply.Recorded);
            }
        });
    }

    public static Props PropsFor(IActorRef region, ForwardCounts counts, int passReplies = int.MaxValue) =>
        Props.Create(() => new CountingForwarder(region, counts, passReplies));

    private sealed record Reply(IActorRef ReplyTo, TenantStore.BatchRecorded Recorded);
}

internal sealed class ForwardCounts
{
#pragma warning disable CA1051 // Counters updated with Interlocked need to be fields.
    public int Forwarded;
    public int Answered;
    public int Accepted;
    public int Duplicates;
#pragma warning restore CA1051

    /// <summary>Each record forwarded, once however often it was offered (a delivery not answered in time is offered again).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<(string Partition, long Offset), byte> Offsets { get; } = new();

    public int Distinct => Offsets.Count;
}
