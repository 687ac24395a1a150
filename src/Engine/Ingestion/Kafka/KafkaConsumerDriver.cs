using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Owns one Kafka consumer and the one thread that may touch it. Records are taken only when the stream asks
/// for a batch, so a slow engine leaves records in Kafka rather than in memory; commits are queued to the
/// same thread. Rebalance callbacks run on that thread inside Consume: on revoke, the records already handed
/// out are given time to finish and what is processed is committed before the partitions go.
/// While the stream asks for nothing for half of max.poll.interval.ms (an engine stalled on slow entities),
/// the consumer keeps polling with its partitions paused: librdkafka would otherwise leave the group and the
/// records in flight would be replayed by the next owner.
/// Records Kafka deleted (retention) before the group reached them are reported, not skipped silently: the
/// consumer jumps to the log start, and the gap is logged as an error and counted.
/// </summary>
internal sealed partial class KafkaConsumerDriver : IAsyncDisposable
{
    /// <summary>One Consume call's wait; short, so queued commits and a stop are served promptly.</summary>
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the lag gauge is refreshed while the stream is not asking for records.</summary>
    private static readonly TimeSpan IdleWake = TimeSpan.FromMilliseconds(500);

    /// <summary>librdkafka's max.poll.interval.ms when the configuration does not set it.</summary>
    private static readonly TimeSpan DefaultMaxPollInterval = TimeSpan.FromMinutes(5);

    /// <summary>How long a broker round trip on the consumer thread (committed offset, log start) may take.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    private readonly KafkaOptions _options;
    private readonly OffsetTracker _tracker;
    private readonly ILogger _logger;
    /// <summary>Keys are not read: a record names its store in its value. Ignored, they cost no string per record.</summary>
    private readonly IConsumer<Ignore, CommerceEvent> _consumer;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentQueue<(IReadOnlyList<OffsetTracker.PendingCommit> Offsets, TaskCompletionSource Done)> _commits = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();
    private readonly KafkaIngestionMetrics? _metrics;
    private readonly Action? _revoking;

    /// <summary>Records consumed and not yet handed out (this poll's, or one a keep-alive poll returned); consumer thread only.</summary>
    private readonly List<ConsumeResult<Ignore, CommerceEvent>> _polled = [];

    /// <summary>Per held partition, the offset the next record should have; a higher one means records were skipped. Consumer thread only.</summary>
    private readonly Dictionary<TopicPartition, long> _expectedNext = [];

    /// <summary>
    /// Each partition's <see cref="TopicPartition"/>, built once: Confluent.Kafka marshals no topic name into a record
    /// (see <see cref="ConsumerConfigFor"/>), and the one subscribed topic is the only one a record can come from. Consumer thread only.
    /// </summary>
    private readonly Dictionary<int, TopicPartition> _partitionsById = [];

    /// <summary>Idle for this long, the consumer is polled anyway (half of max.poll.interval.ms).</summary>
    private readonly TimeSpan _keepAliveAfter;
    /// <summary>Partitions a keep-alive paused; only these are resumed, as resuming a partition that is not paused makes librdkafka fetch it again. Consumer thread only.</summary>
    private readonly HashSet<TopicPartition> _paused = [];
    private long _lastConsume = Environment.TickCount64;
    private TaskCompletionSource<IReadOnlyList<ConsumedCommerceEvent>>? _pendingPoll;
    private volatile bool _stopRequested;
    private int _started;

    /// <param name="revoking">Called when partitions are about to go, before the drain: a chance to make what is folded durable quickly.</param>
    public KafkaConsumerDriver(KafkaOptions options, OffsetTracker tracker, ILogger logger, KafkaIngestionMetrics? metrics = null, Action? revoking = null)
    {
        _options = options;
        _revoking = revoking;
        _tracker = tracker;
        _logger = logger;
        _metrics = metrics;
        var config = ConsumerConfigFor(options);
        _keepAliveAfter = (config.MaxPollIntervalMs is { } maxPoll ? TimeSpan.FromMilliseconds(maxPoll) : DefaultMaxPollInterval) / 2;
        _consumer = new ConsumerBuilder<Ignore, CommerceEvent>(config)
            .SetValueDeserializer(new CommerceEventDeserializer())
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((consumer, partitions) => OnRevoked(consumer, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler((_, error) => LogClientError(error.Code, error.Reason))
            .Build();
        _thread = new Thread(Run) { IsBackground = true, Name = $"kafka-consumer-{options.Topic}" };
    }

    /// <summary>Completes once the consumer has left the group and is closed.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Last observed lag per held partition: records in Kafka not yet made durable by the engine.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Lag => _lag;

    public string Topic => _options.Topic;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _consumer.Subscribe(_options.Topic);
            _thread.Start();
        }
    }

    /// <summary>The next batch of records (at least one). Only one request may be outstanding; the source guarantees it.</summary>
    public Task<IReadOnlyList<ConsumedCommerceEvent>> PollAsync()
    {
        var poll = new TaskCompletionSource<IReadOnlyList<ConsumedCommerceEvent>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopRequested)
        {
            poll.SetResult([]);
            return poll.Task;
        }

        if (Interlocked.CompareExchange(ref _pendingPoll, poll, null) is not null)
        {
            throw new InvalidOperationException("A poll is already outstanding.");
        }

        _wake.Release();
        return poll.Task;
    }

    /// <summary>Commits the offsets of partitions still held; completes once the group coordinator has them.</summary>
    public Task CommitAsync(IReadOnlyList<OffsetTracker.PendingCommit> offsets)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopRequested && _stopped.Task.IsCompleted)
        {
            done.SetException(new ObjectDisposedException(nameof(KafkaConsumerDriver)));
            return done.Task;
        }

        _commits.Enqueue((offsets, done));
        _wake.Release();
        return done.Task;
    }

    /// <summary>Leaves the group: commits what is processed (the revoke callback runs on close) and closes the consumer.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopRequested = true;
        _wake.Release();
        if (Volatile.Read(ref _started) == 1)
        {
            // A consumer that failed has logged why; disposing it must not throw again.
            await _stopped.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        else
        {
            _consumer.Dispose();
            _stopped.TrySetResult();
        }

        _wake.Dispose();
    }

    internal static ConsumerConfig ConsumerConfigFor(KafkaOptions options)
    {
        var properties = new Dictionary<string, string>(options.Properties, StringComparer.Ordinal);
        foreach (var (key, value) in options.ConsumerProperties)
        {
            properties[key] = value;
        }

        return new ConsumerConfig(properties)
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.ConsumerGroup,
            ClientId = $"salesdash-engine-{Environment.MachineName}",
            // Offsets are committed by hand, only once the entity has made the record's effect durable.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A new group starts from the oldest record: nothing accepted by a webhook may be skipped.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            // Incremental rebalancing: only the partitions that move are revoked, the others keep flowing, and the
            // revoke callback runs once the group is stable again, so its commit is accepted by the coordinator.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            // Confluent.Kafka would otherwise build for every record a new string of its topic's name, an empty list of
            // headers and its timestamp, none of which the engine reads: a record names its store and event in its value,
            // and the consumer subscribes to one topic, so a record's position is rebuilt from the partition alone.
            ConsumeResultFields = "none",
        };
    }

    private void Run()
    {
        try
        {
            var nextLagRefresh = DateTime.UtcNow;
            while (!_stopRequested)
            {
                RunQueuedCommits();
                var poll = Volatile.Read(ref _pendingPoll);
                if (poll is not null)
                {
                    var batch = PollBatch();
                    if (batch.Count > 0)
                    {
                        Volatile.Write(ref _pendingPoll, null);
                        poll.TrySetResult(batch);
                    }
                }
                else
                {
                    KeepAliveIfIdleTooLong();
                    _wake.Wait(_keepAliveAfter / 2 < IdleWake ? _keepAliveAfter / 2 : IdleWake);
                }

                if (DateTime.UtcNow >= nextLagRefresh)
                {
                    RefreshLag();
                    nextLagRefresh = DateTime.UtcNow + IdleWake;
                }
            }

            Interlocked.Exchange(ref _pendingPoll, null)?.TrySetResult([]);
            RunQueuedCommits();
            var last = _tracker.Committable();
            if (last.Count > 0)
            {
                Commit(last);
            }

            // Close leaves the group at once (no session timeout for the others) and runs the revoke callback.
            _consumer.Close();
        }
#pragma warning disable CA1031 // The thread must always release its waiters; the failure is logged and surfaces through Stopped.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogConsumerFailed(e);
            Interlocked.Exchange(ref _pendingPoll, null)?.TrySetException(e);
            _stopped.TrySetException(e);
        }
        finally
        {
            while (_commits.TryDequeue(out var pending))
            {
                pending.Done.TrySetException(new ObjectDisposedException(nameof(KafkaConsumerDriver)));
            }

            _consumer.Dispose();
            _lag.Clear();
            _stopped.TrySetResult();
        }
    }

    private List<ConsumedCommerceEvent> PollBatch()
    {
        if (_paused.Count > 0)
        {
            Resume([.. _paused]);
            _paused.Clear();
        }

        var wait = _polled.Count == 0 ? PollWait : TimeSpan.Zero;
        while (_polled.Count < _options.MaxPollBatch)
        {
            // A rebalance callback may run inside Consume and drop records of revoked partitions from _polled.
            var result = Consume(wait);
            if (result?.Message is null)
            {
                break;
            }

            // Only the first record is waited for; the rest of the batch is whatever is already fetched.
            wait = TimeSpan.Zero;
            _polled.Add(result);
        }

        var batch = new List<ConsumedCommerceEvent>(_polled.Count);
        foreach (var result in _polled)
        {
            var partition = PartitionOf(result.Partition);
            var offset = result.Offset.Value;
            CheckContinuity(partition, offset);
            _tracker.HandedOut(partition, offset);
            // Decoded inside Consume; a value that was not an event came back as a record without one.
            var commerceEvent = result.Message.Value;
            if (commerceEvent is null)
            {
                // A record that is not an event can never become one: skip it, or it would block its partition forever.
                _tracker.Processed(partition, offset);
                continue;
            }

            batch.Add(new ConsumedCommerceEvent(commerceEvent, partition, offset));
        }

        _polled.Clear();
        return batch;
    }

    private ConsumeResult<Ignore, CommerceEvent>? Consume(TimeSpan wait)
    {
        try
        {
            return _consumer.Consume(wait);
        }
        catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_ValueDeserialization)
        {
            // librdkafka has moved past the record all the same. It stays in line, without an event, so its offset is
            // committed in order with its neighbours' and it never blocks its partition.
            var position = new TopicPartitionOffset(PartitionOf(e.ConsumerRecord.Partition), e.ConsumerRecord.Offset);
            LogPoisonRecord(e.InnerException ?? e, position.ToString());
            _metrics?.RecordUndecodable(position.Topic, position.Partition.Value);
            return new ConsumeResult<Ignore, CommerceEvent> { TopicPartitionOffset = position, Message = new Message<Ignore, CommerceEvent> { Value = null! } };
        }
        finally
        {
            _lastConsume = Environment.TickCount64;
        }
    }

    /// <summary>
    /// The stream has asked for nothing for half of max.poll.interval.ms: poll anyway, or librdkafka leaves the
    /// group and the partitions, records in flight included, go to a replay. The partitions are paused first, so
    /// the poll fetches nothing more into memory; a record it still returns is kept for the next batch. Once
    /// paused, it polls on every wake, so a rebalance during the stall is served within one.
    /// </summary>
    private void KeepAliveIfIdleTooLong()
    {
        if (_paused.Count == 0 && Environment.TickCount64 - _lastConsume < (long)_keepAliveAfter.TotalMilliseconds)
        {
            return;
        }

        // Partitions assigned since the last keep-alive are paused too.
        var toPause = _consumer.Assignment.Where(p => !_paused.Contains(p)).ToList();
        if (toPause.Count > 0)
        {
            if (_paused.Count == 0)
            {
                LogKeepAlivePaused(toPause.Count, (long)(_keepAliveAfter * 2).TotalMilliseconds);
            }

            _consumer.Pause(toPause);
            _paused.UnionWith(toPause);
        }

        // Rebalance callbacks run inside this call too, so a stalled engine still hands partitions over.
        if (Consume(TimeSpan.Zero) is { Message: not null } early)
        {
            _polled.Add(early);
        }
    }

    private void Resume(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        try
        {
            _consumer.Resume(partitions);
        }
        catch (KafkaException e)
        {
            LogResumeFailed(e);
        }
    }

    /// <summary>A paused partition that goes is resumed first, so it does not come back paused if it is given back later.</summary>
    private void ForgetPaused(IEnumerable<TopicPartition> partitions)
    {
        var paused = partitions.Where(_paused.Remove).ToList();
        Resume(paused);
    }

    /// <summary>
    /// Notices records skipped between two handed-out records of a partition (or between the group's commit and
    /// the first record after an assignment). On this topic offsets are contiguous, so a gap means the consumer's
    /// position fell below the log start, because retention deleted records nobody had processed, and
    /// auto.offset.reset moved it forward. The records cannot be recovered from Kafka; saying so is all that is left.
    /// </summary>
    private void CheckContinuity(TopicPartition partition, long offset)
    {
        if (!_expectedNext.TryGetValue(partition, out var expected))
        {
            expected = CommittedOffset(partition);
        }

        _expectedNext[partition] = offset + 1;
        if (expected < 0 || offset == expected)
        {
            return;
        }

        if (offset < expected)
        {
            // The log was cut back below where the group was (topic recreated, or an unclean leader election).
            LogWentBack(partition.ToString(), expected, offset);
            return;
        }

        var logStart = LogStart(partition);
        if (logStart is { } start && start <= expected)
        {
            // The offsets are still in the log, so they hold no records: compaction or transaction markers.
            LogOffsetsWithoutRecords(partition.ToString(), expected, offset - 1);
            return;
        }

        var lost = offset - expected;
        LogRecordsDeleted(partition.ToString(), lost, expected, offset - 1, logStart?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        _metrics?.RecordsLost(partition.Topic, partition.Partition.Value, lost);
    }

    /// <summary>The subscribed topic's partition of this number, one instance per partition.</summary>
    private TopicPartition PartitionOf(Partition partition)
    {
        if (!_partitionsById.TryGetValue(partition.Value, out var topicPartition))
        {
            _partitionsById[partition.Value] = topicPartition = new TopicPartition(_options.Topic, partition);
        }

        return topicPartition;
    }

    private long CommittedOffset(TopicPartition partition)
    {
        try
        {
            var committed = _consumer.Committed([partition], QueryTimeout);
            return committed is [{ Offset.IsSpecial: false } only] ? only.Offset.Value : -1;
        }
        catch (KafkaException e)
        {
            LogQueryFailed(e, partition.ToString());
            return -1;
        }
    }

    private long? LogStart(TopicPartition partition)
    {
        try
        {
            return _consumer.QueryWatermarkOffsets(partition, QueryTimeout).Low.Value;
        }
        catch (KafkaException e)
        {
            LogQueryFailed(e, partition.ToString());
            return null;
        }
    }

    private void RunQueuedCommits()
    {
        while (_commits.TryDequeue(out var request))
        {
            try
            {
                Commit(request.Offsets);
                request.Done.TrySetResult();
            }
            catch (KafkaException e)
            {
                request.Done.TrySetException(e);
            }
        }
    }

    private void Commit(IReadOnlyList<OffsetTracker.PendingCommit> offsets)
    {
        // Checked on this thread, after any rebalance: a partition given away must not get a stale commit.
        var held = _tracker.StillAssigned(offsets);
        if (held.Count == 0)
        {
            return;
        }

        _consumer.Commit(held);
        _tracker.Committed(held);
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _tracker.Assign(partitions);
        foreach (var partition in partitions)
        {
            // Continuity is checked against the group's commit for the first record of the new assignment.
            _expectedNext.Remove(partition);
        }

        LogAssigned(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnRevoked(IConsumer<Ignore, CommerceEvent> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToArray();
        ForgetPaused(revoked);
        // Records of this poll not yet handed out stay in Kafka for the new owner; they cannot be drained from here. (A
        // record carries its partition's number, not its topic: see ConsumerConfigFor.)
        _polled.RemoveAll(r => revoked.Contains(PartitionOf(r.Partition)));

        // On close the stream has already finished: whatever is still unprocessed never will be, so no wait.
        if (!_stopRequested)
        {
            _revoking?.Invoke();
        }

        var offsets = _tracker.Revoke(revoked, _stopRequested ? TimeSpan.Zero : _options.RevokeDrainTimeout);
        foreach (var partition in revoked)
        {
            _lag.TryRemove(partition, out _);
            _expectedNext.Remove(partition);
        }

        if (offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
            }
            catch (KafkaException e)
            {
                // Not lost: the new owner replays from the previous commit and the entities dedupe the repeat.
                LogRevokeCommitFailed(e);
            }
        }

        LogRevoked(string.Join(", ", revoked.Select(p => p.Partition.Value)));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        var lost = partitions.Select(p => p.TopicPartition).ToArray();
        ForgetPaused(lost);
        _polled.RemoveAll(r => lost.Contains(PartitionOf(r.Partition)));
        _tracker.Lose(lost);
        foreach (var partition in lost)
        {
            _lag.TryRemove(partition, out _);
            _expectedNext.Remove(partition);
        }

        LogLost(string.Join(", ", lost.Select(p => p.Partition.Value)));
    }

    private void RefreshLag()
    {
        foreach (var partition in _consumer.Assignment)
        {
            // Both calls read what the client already knows (cached high watermark, local position): no broker round trip.
            var high = _consumer.GetWatermarkOffsets(partition).High;
            if (high == Offset.Unset)
            {
                continue;
            }

            var next = _tracker.NextToProcess(partition) ?? _consumer.Position(partition).Value;
            if (next >= 0)
            {
                _lag[partition] = Math.Max(0, high.Value - next);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka consumer failed")]
    private partial void LogConsumerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipping record {Offset}: it is not a commerce event")]
    private partial void LogPoisonRecord(Exception exception, string offset);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Kafka deleted {Count} records of {Partition} (offsets {From}..{To}; the log now starts at {LogStart}) before the engine processed them: " +
            "their events are lost to the dashboard. The topic's retention must outlast the longest time the engine can fall behind.")]
    private partial void LogRecordsDeleted(string partition, long count, long from, long to, string logStart);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offsets {From}..{To} of {Partition} hold no records (compaction or transaction markers)")]
    private partial void LogOffsetsWithoutRecords(string partition, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Partition} went back from offset {Expected} to {Offset} (log truncated or topic recreated): records already processed may come again, and the entities drop them as duplicates")]
    private partial void LogWentBack(string partition, long expected, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask Kafka about {Partition}; records skipped there, if any, go unreported")]
    private partial void LogQueryFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The engine has asked for no records for half of max.poll.interval.ms ({MaxPollIntervalMs} ms): {Count} partitions paused, the consumer keeps polling to stay in the group")]
    private partial void LogKeepAlivePaused(int count, long maxPollIntervalMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resuming paused partitions failed")]
    private partial void LogResumeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit on revoke failed; the new owner replays from the previous commit")]
    private partial void LogRevokeCommitFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions assigned: {Partitions}")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions revoked: {Partitions}")]
    private partial void LogRevoked(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka partitions lost: {Partitions}")]
    private partial void LogLost(string partitions);
}
