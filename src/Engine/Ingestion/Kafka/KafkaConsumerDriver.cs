using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Owns one Kafka consumer and the one thread that may touch it. The consumer is polled only when the stream
/// asks for a batch, so a slow engine leaves records in Kafka rather than in memory; commits are queued to the
/// same thread. Rebalance callbacks run on that thread inside Consume: on revoke, the records already handed
/// out are given time to finish and what is processed is committed before the partitions go.
/// </summary>
internal sealed partial class KafkaConsumerDriver : IAsyncDisposable
{
    /// <summary>One Consume call's wait; short, so queued commits and a stop are served promptly.</summary>
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the lag gauge is refreshed while the stream is not asking for records.</summary>
    private static readonly TimeSpan IdleWake = TimeSpan.FromMilliseconds(500);

    private readonly KafkaOptions _options;
    private readonly OffsetTracker _tracker;
    private readonly ILogger _logger;
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentQueue<(IReadOnlyList<OffsetTracker.PendingCommit> Offsets, TaskCompletionSource Done)> _commits = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();

    /// <summary>Records taken in the current poll and not yet handed out; touched only on the consumer thread.</summary>
    private readonly List<ConsumeResult<string, byte[]>> _polled = [];
    private TaskCompletionSource<IReadOnlyList<ConsumedCommerceEvent>>? _pendingPoll;
    private volatile bool _stopRequested;
    private int _started;

    public KafkaConsumerDriver(KafkaOptions options, OffsetTracker tracker, ILogger logger)
    {
        _options = options;
        _tracker = tracker;
        _logger = logger;
        _consumer = new ConsumerBuilder<string, byte[]>(ConsumerConfigFor(options))
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
                    _wake.Wait(IdleWake);
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
        _polled.Clear();
        var wait = PollWait;
        while (_polled.Count < _options.MaxPollBatch)
        {
            // A rebalance callback may run inside Consume and drop records of revoked partitions from _polled.
            var result = _consumer.Consume(wait);
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
            _tracker.HandedOut(result.TopicPartitionOffset);
            var commerceEvent = Decode(result);
            if (commerceEvent is null)
            {
                // A record that is not an event can never become one: skip it, or it would block its partition forever.
                _tracker.Processed(result.TopicPartitionOffset);
                continue;
            }

            batch.Add(new ConsumedCommerceEvent(commerceEvent, result.TopicPartitionOffset));
        }

        _polled.Clear();
        return batch;
    }

    private CommerceEvent? Decode(ConsumeResult<string, byte[]> result)
    {
        try
        {
            return CommerceEventCodec.Decode(result.Message.Value);
        }
        catch (JsonException e)
        {
            LogPoisonRecord(e, result.TopicPartitionOffset.ToString());
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
        LogAssigned(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnRevoked(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToArray();
        // Records of this poll not yet handed out stay in Kafka for the new owner; they cannot be drained from here.
        _polled.RemoveAll(r => revoked.Contains(r.TopicPartition));

        // On close the stream has already finished: whatever is still unprocessed never will be, so no wait.
        var offsets = _tracker.Revoke(revoked, _stopRequested ? TimeSpan.Zero : _options.RevokeDrainTimeout);
        foreach (var partition in revoked)
        {
            _lag.TryRemove(partition, out _);
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
        _polled.RemoveAll(r => lost.Contains(r.TopicPartition));
        _tracker.Lose(lost);
        foreach (var partition in lost)
        {
            _lag.TryRemove(partition, out _);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit on revoke failed; the new owner replays from the previous commit")]
    private partial void LogRevokeCommitFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions assigned: {Partitions}")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions revoked: {Partitions}")]
    private partial void LogRevoked(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka partitions lost: {Partitions}")]
    private partial void LogLost(string partitions);
}
