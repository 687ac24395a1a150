using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// The one place a store's live figures are kept: a sharded, event-sourced entity that dedupes and journals
/// each accepted event, folds it into <see cref="KpiState"/>, answers tiles, and pushes coalesced tile updates,
/// per-minute rows and each completed minute's figures (<see cref="StoreMinutes"/>), and hands each accepted event to
/// the node's <see cref="HistoryWriter"/> for history facts. It only persists, snapshots, publishes and passivates; the
/// figures are KpiState's, and what the minutes mean (anomalies, alerts) is their watchers'.
/// </summary>
public sealed partial class TenantStoreActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>Accepted events between snapshots while the state is small; a large state waits longer (<see cref="SnapshotPolicy"/>).</summary>
    public const int SnapshotEvery = SnapshotPolicy.MinEventsBetween;

    private const string FlushTimer = "flush";
    private const string StopTimer = "stop-timeout";
    private const string MinuteTimer = "minute";
    private const string HistoryRetryTimer = "history-retry";

    /// <summary>How long an entity waits before handing facts a full history writer refused over again.</summary>
    private static readonly TimeSpan HistoryRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most minutes published at one check: after a jump of the clock the rest are skipped, and a watcher that sees the
    /// gap pulls them once instead of taking hours of notices one by one.
    /// </summary>
    private const int MaxMinutesPerCheck = 60;

    /// <summary>How long a stopping entity waits for its final snapshot before stopping anyway.</summary>
    private static readonly TimeSpan StopSnapshotTimeout = TimeSpan.FromSeconds(5);

    private readonly StoreRef _store;
    private readonly TimeProvider _time;
    private readonly IActorRef _snapshotWriter;
    private readonly IActorRef _historyWriter;
    private readonly GroupCommitMetrics? _metrics;
    private readonly IActorRef _mediator;
    private readonly TimeSpan _publishInterval;
    private readonly TimeSpan _minuteCheckInterval;
    /// <summary>Most events in one group write: bounds a transaction's size and the wait of the last event in it.</summary>
    private const int MaxBatch = 1_000;

    private readonly InFlightEvents _inFlight = new();
    private readonly Dictionary<string, List<Waiter>> _waiting = new(StringComparer.Ordinal);
    private readonly HashSet<Dictionary<string, IActorRef>> _replyTo = [];
    private List<Waiter> _pending = [];
    private int _writesInFlight;
    private long? _lastBatchDone;
    private readonly HashSet<DateTimeOffset> _dirtyMinutes = [];
    private readonly List<CommerceEvent> _refusedByHistory = [];
    /// <summary>The tile relays of the nodes where screens watch this store (<see cref="TenantStore.WatchTiles"/>).</summary>
    private readonly HashSet<IActorRef> _tileWatchers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DateTimeOffset? _lastMinutePublished;
    private KpiState _state;
    private string? _requestedCurrency;
    private string? _requestedZone;
    private bool _changedSincePublish;
    private int _eventsSinceSnapshot;

    public TenantStoreActor(string entityId, TimeProvider time, IActorRef snapshotWriter, TimeSpan publishInterval)
        : this(entityId, time, snapshotWriter, ActorRefs.Nobody, publishInterval, DefaultMinuteCheckInterval)
    {
    }

    public TenantStoreActor(string entityId, TimeProvider time, IActorRef snapshotWriter, IActorRef historyWriter, TimeSpan publishInterval,
        TimeSpan minuteCheckInterval, IStoreTombstones? tombstones = null, GroupCommitMetrics? metrics = null)
    {
        _tombstones = tombstones;
        _metrics = metrics;
        _store = TenantStoreIds.StoreFromEntityId(entityId);
        _time = time;
        _snapshotWriter = snapshotWriter;
        _historyWriter = historyWriter;
        _publishInterval = publishInterval;
        _minuteCheckInterval = minuteCheckInterval;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _state = new KpiState(_store);
        PersistenceId = TenantStoreIds.PersistenceIdFor(_store);

        Recover<SnapshotOffer>(offer =>
        {
            _recoveredAnything = true;
            if (offer.Snapshot is KpiSnapshot snapshot)
            {
                _state = KpiState.FromSnapshot(_store, snapshot);
                _quarantine = QuarantineBook.From(snapshot.Quarantine);
                RecoverKafkaOffsets(snapshot);
            }
        });
        Recover<CommerceEvent>(e =>
        {
            // Rows of minutes replayed from the journal may not have reached the snapshot store before the
            // last stop, so they are written again; rows are absolute, so rewriting is harmless.
            // Facts of replayed events may not have reached history before the last stop either; history
            // writes are idempotent (newest order version wins, ids once), so handing them over again is harmless.
            // An event an older release journaled that cannot be folded in is quarantined, not thrown on every recovery.
            FoldOrQuarantine(e, JournalEntryId(LastSequenceNr));
            _eventsSinceSnapshot++;
            _recoveredAnything = true;
        });
        QuarantineHandlers();
        ForgetHandlers();
        KafkaHandlers();
        WriterHandlers();
        Recover<RecoveryCompleted>(_ =>
        {
            // Minutes are published from this one on; a watcher that missed earlier ones (this life began without a
            // "went idle" from the last) pulls them.
            var now = _time.GetUtcNow();
            _lastMinutePublished = StoreMinutes.Floor(now).AddMinutes(-1);
            _mediator.Tell(new Publish(StoreMinutes.TopicFor(_store), new StoreMinutes.Woke(_store, StoreMinutes.Floor(now), now)));
            Timers.StartPeriodicTimer(MinuteTimer, MinuteTick.Instance, _minuteCheckInterval);
            if (_dirtyMinutes.Count > 0)
            {
                PublishSoon();
            }

            ReadTombstoneIfEmpty();
        });

        Command<TenantStore.Record>(Record);
        Command<HistoryRetry>(_ => RetryRefusedFacts());
        Command<TenantStore.GetTiles>(GetTiles);
        Command<TenantStore.UseProfile>(UseProfile);
        Command<TenantStore.WatchTiles>(WatchTiles);
        Command<TenantStore.UnwatchTiles>(_ =>
        {
            if (_tileWatchers.Remove(Sender))
            {
                Context.Unwatch(Sender);
            }
        });
        // A relay's node left or the relay stopped: its screens are gone with it.
        Command<Terminated>(t => _tileWatchers.Remove(t.ActorRef));
        Command<FlushTick>(_ => FlushOrCoolDown());
        Command<WriteNext>(_ => WriteIfIdle());
        Command<MinuteTick>(_ => PublishMinutes());
        Command<StoreMinutes.Pull>(pull =>
        {
            PublishMinutes();
            Sender.Tell(StoreMinutes.Capture(_state, pull.From, StoreMinutes.Floor(_time.GetUtcNow()).AddMinutes(-1), Zone ?? "UTC", Currency ?? string.Empty));
        });
        Command<Stop>(_ =>
        {
            if (_tombstone != Tombstone.Live)
            {
                // Deleted (or not known yet) and holding nothing: a final snapshot would make the next life recover
                // something and so skip the tombstone check that refuses a deleted store's events.
                Context.Stop(Self);
                return;
            }

            // Accepted but not yet handed to the journal: write them now, so their senders are answered before the stop.
            WritePending();
            DeferAsync(Stop.Instance, _ => BeginStop());
        });
        Command<SaveSnapshotSuccess>(SnapshotSaved);
        Command<SaveSnapshotFailure>(SnapshotFailed);
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning(failure.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Record(TenantStore.Record record)
    {
        if (RefusedAsDeleted())
        {
            return;
        }

        if (_refusedByHistory.Count > 0)
        {
            // The history writer is full: take no more until it has taken these, so the door's senders slow down
            // (they wait for the answer) instead of facts piling up here.
            Stash.Stash();
            return;
        }

        if (QuarantinedAtDoor(record.Event))
        {
            return;
        }

        Decide(record, Sender);
        WriteIfIdle();
    }

    private void WriteIfIdle()
    {
        if (_writesInFlight == 0 || _pending.Count >= MaxBatch)
        {
            WritePending();
        }
    }

    private void Decide(TenantStore.Record record, IActorRef replyTo)
    {
        var commerceEvent = record.Event;
        if (_state.Decide(commerceEvent) == IngestOutcome.Duplicate)
        {
            replyTo.Tell(new TenantStore.Recorded(commerceEvent.EventId, IngestOutcome.Duplicate));
            return;
        }

        if (_inFlight.CoveredBy(commerceEvent) is { } coveringId)
        {
            // A copy is not durable yet: "duplicate" now would let the sender drop this one while that write may
            // still fail. It is decided again once that write's outcome is known.
            if (!_waiting.TryGetValue(coveringId, out var waiters))
            {
                _waiting[coveringId] = waiters = [];
            }

            waiters.Add(new Waiter(record, replyTo));
            return;
        }

        _inFlight.Add(commerceEvent);
        _pending.Add(new Waiter(record, replyTo));
        _metrics?.Arrived(duringWrite: _writesInFlight > 0);
    }

    /// <summary>
    /// Group commit: everything accepted since the last write goes to the journal as one atomic write (one
    /// transaction), and each sender is answered only when that write is durable. The first event after a quiet
    /// spell is written at once; events arriving while a write is under way wait for it and form the next batch,
    /// so the batch grows with the load and the journal's per-write cost is shared.
    /// </summary>
    private void WritePending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending;
        _pending = [];
        _writesInFlight++;
        var remaining = batch.Count;
        var handedOver = _time.GetTimestamp();
        var firstConfirmed = 0L;
        if (_lastBatchDone is { } done)
        {
            _metrics?.NextWriteDelay.Record(_time.GetElapsedTime(done, handedOver).TotalMilliseconds);
            _lastBatchDone = null;
        }

        _metrics?.BatchSize.Record(batch.Count);
        var replies = batch.ToDictionary(w => w.Record.Event.EventId, w => w.ReplyTo, StringComparer.Ordinal);
        _replyTo.Add(replies);
        PersistAllAsync(batch.ConvertAll(w => w.Record.Event), persisted =>
        {
            if (firstConfirmed == 0)
            {
                firstConfirmed = _time.GetTimestamp();
                _metrics?.WriteTime.Record(_time.GetElapsedTime(handedOver, firstConfirmed).TotalMilliseconds);
            }

            _inFlight.Remove(persisted);
            replies.Remove(persisted.EventId, out var replyTo);
            var folded = FoldOrQuarantine(persisted, JournalEntryId(LastSequenceNr));
            replyTo?.Tell(new TenantStore.Recorded(persisted.EventId, folded ? IngestOutcome.Accepted : IngestOutcome.Quarantined));
            if (folded)
            {
                _changedSincePublish = true;
                if (SnapshotPolicy.IsDue(++_eventsSinceSnapshot, _state.TrackedOrderCount + _state.RememberedEventIdCount))
                {
                    SaveCheckpoint();
                }
            }

            DecideWaitersOf(persisted.EventId, quarantined: !folded);
            if (--remaining == 0)
            {
                _metrics?.FoldTime.Record(_time.GetElapsedTime(firstConfirmed).TotalMilliseconds);
                BatchDone(replies);
            }
        });
    }

    /// <summary>
    /// Duplicates that waited for <paramref name="eventId"/>'s write are decided again now that its outcome is known;
    /// a copy of an event that went to quarantine is answered as that event was, rather than quarantined twice.
    /// </summary>
    private void DecideWaitersOf(string eventId, bool quarantined = false)
    {
        if (_waiting.Remove(eventId, out var waiters))
        {
            foreach (var waiter in waiters)
            {
                if (quarantined && waiter.Record.Event.EventId == eventId)
                {
                    waiter.ReplyTo.Tell(new TenantStore.Recorded(eventId, IngestOutcome.Quarantined));
                    continue;
                }

                Decide(waiter.Record, waiter.ReplyTo);
            }
        }
    }

    private void BatchDone(Dictionary<string, IActorRef> replies)
    {
        _replyTo.Remove(replies);
        _writesInFlight--;
        PublishSoon();
        WriteSoon();
    }

    // Journal answers are handled inside Akka's persistence machinery: the next write starts from a command of its own.
    private void WriteSoon()
    {
        if (_pending.Count > 0)
        {
            _lastBatchDone = _time.GetTimestamp();
            Self.Tell(WriteNext.Instance);
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The journal refused the write holding this event and carries on. Its sender is told it is not durable
        // (so it retries instead of waiting out its ask), the event is forgotten as in flight so a redelivery is
        // decided afresh, and duplicates waiting for it are decided again: the first of them is written itself.
        if (@event is CommerceEvent rejected)
        {
            _inFlight.Remove(rejected);
            _log.Error(cause, "The journal rejected event {0} of {1}; it was not acknowledged and will be counted when redelivered", rejected.EventId, PersistenceId);
            if (_replyTo.FirstOrDefault(r => r.ContainsKey(rejected.EventId)) is { } replies)
            {
                replies.Remove(rejected.EventId, out var replyTo);
                replyTo!.Tell(new Status.Failure(new EventNotDurableException(
                    $"The journal refused event {rejected.EventId}; it was not stored, deliver it again.", cause)));
                if (replies.Count == 0)
                {
                    // A write is rejected whole, one rejection per event: the last one ends the batch.
                    BatchDone(replies);
                }
            }

            DecideWaitersOf(rejected.EventId);
            WriteSoon();
            return;
        }

        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal failed and the entity stops: tell everyone still waiting now, rather than after their ask times out.
        var failure = new Status.Failure(new EventNotDurableException($"The journal of {PersistenceId} failed; nothing unanswered was stored, deliver it again.", cause));
        foreach (var replyTo in _replyTo.SelectMany(r => r.Values).Concat(_pending.Select(w => w.ReplyTo)).Concat(_waiting.Values.SelectMany(w => w).Select(w => w.ReplyTo)))
        {
            replyTo.Tell(failure);
        }

        _replyTo.Clear();
        _pending.Clear();
        _waiting.Clear();
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // The next incarnation is the same actor (no watcher's death watch fires) and starts with no watchers: each relay
        // is told, so its screens watch again now rather than at the relay's next refresh.
        var ended = new TenantStore.TilesWatchEnded(_store);
        foreach (var watcher in _tileWatchers)
        {
            watcher.Tell(ended);
        }

        base.PreRestart(reason, message);
    }

    private void GetTiles(TenantStore.GetTiles query) =>
        Sender.Tell(_state.Tiles(_time.GetUtcNow(),
            string.IsNullOrWhiteSpace(query.TimeZone) ? Zone ?? "UTC" : query.TimeZone,
            string.IsNullOrWhiteSpace(query.Currency) ? Currency ?? string.Empty : query.Currency));

    private void UseProfile(TenantStore.UseProfile profile)
    {
        // Later pushes and closed minutes use it; the next change pushes tiles in these terms, as before.
        if (!string.IsNullOrWhiteSpace(profile.Currency))
        {
            _requestedCurrency = profile.Currency;
        }

        if (!string.IsNullOrWhiteSpace(profile.TimeZone))
        {
            _requestedZone = profile.TimeZone;
        }
    }

    private void WatchTiles(TenantStore.WatchTiles watch)
    {
        UseProfile(new TenantStore.UseProfile(watch.Store, watch.Currency, watch.TimeZone));
        if (Sender.IsNobody())
        {
            return;
        }

        if (_tileWatchers.Add(Sender))
        {
            Context.Watch(Sender);
        }

        // The tiles now, to the watcher alone: changes while nobody watched were not pushed, and a screen that subscribed
        // after a change must not wait for the next one (the leading edge). A relay that already watches gets them
        // again, which moves its screens on with the clock.
        if (Currency is { } currency && Zone is { } zone)
        {
            Sender.Tell(new TenantStore.TilesPublished(_state.Tiles(_time.GetUtcNow(), zone, currency)));
        }
    }

    private string? Currency => _requestedCurrency ?? _state.Currency;

    private string? Zone => _requestedZone ?? _state.TimeZone;

    /// <summary>
    /// Leading and trailing coalescing: a change after a quiet spell is pushed at once, then the tiles rest for one
    /// publish interval; changes during the rest ride along in one push at its end, which starts another rest.
    /// A burst thus costs one push per interval, and a lone order is on screen without waiting for a timer.
    /// </summary>
    private void PublishSoon()
    {
        if (Timers.IsTimerActive(FlushTimer))
        {
            return;
        }

        Flush();
        Timers.StartSingleTimer(FlushTimer, FlushTick.Instance, _publishInterval);
    }

    private void FlushOrCoolDown()
    {
        // Nothing changed during the rest (or nothing can be pushed yet): the next change is pushed at once.
        if ((_changedSincePublish || _dirtyMinutes.Count > 0) && Currency is not null && Zone is not null)
        {
            Flush();
            Timers.StartSingleTimer(FlushTimer, FlushTick.Instance, _publishInterval);
        }
    }

    private void Flush(bool force = false)
    {
        if (Currency is not { } currency || Zone is not { } zone)
        {
            return;
        }

        if (_changedSincePublish)
        {
            // Tiles exist for screens: with none watching, building them (120 minute points, about 12 KB) is the largest
            // cost of a delivery over many stores and buys nothing; a screen that starts watching is answered with them then.
            if (_tileWatchers.Count > 0)
            {
                var published = new TenantStore.TilesPublished(_state.Tiles(_time.GetUtcNow(), zone, currency));
                foreach (var watcher in _tileWatchers)
                {
                    watcher.Tell(published);
                }
            }

            _changedSincePublish = false;
        }

        HandOverRows(force);
    }

    /// <summary>Hands the rows of the minutes changed since the last hand-over to the snapshot writer.</summary>
    private void HandOverRows(bool force)
    {
        if (_dirtyMinutes.Count == 0 || Currency is not { } currency || Zone is null)
        {
            return;
        }

        var rows = _state.Rows(_dirtyMinutes, currency);
        _dirtyMinutes.Clear();
        if (rows.Count > 0)
        {
            _snapshotWriter.Tell(new SnapshotWriter.Enqueue(rows, force));
        }
    }

    /// <summary>Publishes each minute the clock has completed since the last one published, empty minutes too.</summary>
    private void PublishMinutes()
    {
        var last = StoreMinutes.Floor(_time.GetUtcNow()).AddMinutes(-1);
        if (_lastMinutePublished is not { } published || published >= last)
        {
            return;
        }

        var from = published.AddMinutes(1);
        if (last - from >= TimeSpan.FromMinutes(MaxMinutesPerCheck))
        {
            from = last;
        }

        var zone = Zone ?? "UTC";
        var currency = Currency ?? string.Empty;
        for (var minute = from; minute <= last; minute = minute.AddMinutes(1))
        {
            _mediator.Tell(new Publish(StoreMinutes.TopicFor(_store), new StoreMinutes.MinuteClosed(_store, zone, currency, StoreMinutes.MinuteOf(_state, minute))));
        }

        _lastMinutePublished = last;
    }

    private void BeginStop()
    {
        Timers.Cancel(FlushTimer);
        Timers.Cancel(MinuteTimer);
        Timers.Cancel(HistoryRetryTimer);
        _stopping = true;

        // Watchers close the minutes after this one as empty by their own clock until the entity wakes (any event wakes it
        // first), so they need not wake it to see a quiet store.
        PublishMinutes();
        var now = _time.GetUtcNow();
        _mediator.Tell(new Publish(StoreMinutes.TopicFor(_store),
            new StoreMinutes.WentIdle(_store, Zone ?? "UTC", Currency ?? string.Empty, StoreMinutes.MinuteOf(_state, StoreMinutes.Floor(now)), now)));

        // A stopping entity cannot keep what the writers refused: its final snapshot would cover it, so it goes over now.
        Flush(force: true);
        HandOverRefusedFacts();
        if (_eventsSinceSnapshot == 0 && !_snapshotInFlight)
        {
            Context.Stop(Self);
            return;
        }

        // A snapshot still being saved lands first (two saves of one sequence number may land in either order), then the final one.
        var finalPending = _snapshotInFlight;
        if (!finalPending)
        {
            SaveSnapshotWhenWritten(TakeSnapshot());
        }

        Timers.StartSingleTimer(StopTimer, StopTimeout.Instance, StopSnapshotTimeout);
        Become(() => Stopping(finalPending));
    }

    private void Stopping(bool finalPending)
    {
        Command<SaveSnapshotSuccess>(_ => StopOrSaveFinal());
        Command<SaveSnapshotFailure>(failure =>
        {
            _log.Warning(failure.Cause, "Snapshot of {0} failed while stopping; recovery replays the journal (or Kafka, past the last checkpoint) instead", PersistenceId);
            StopOrSaveFinal();
        });
        Command<StopTimeout>(_ => Context.Stop(Self));
        // What the writers say about the snapshot being saved, and what they refused of the last hand-overs before the
        // stop: nothing can be kept for later now, so it goes over again forced (and the snapshot asks again).
        WriterHandlers();
        // Sharding buffers new messages for a stopping entity and restarts it after it stops.
        CommandAny(_ => Stash.Stash());

        void StopOrSaveFinal()
        {
            if (finalPending)
            {
                finalPending = false;
                SaveSnapshotWhenWritten(TakeSnapshot());
                return;
            }

            Context.Stop(Self);
        }
    }

    /// <summary>Props for the entity with the given sharding entity id.</summary>
    public static Props PropsFor(string entityId, TimeProvider time, IActorRef snapshotWriter, TimeSpan publishInterval) =>
        Props.Create(() => new TenantStoreActor(entityId, time, snapshotWriter, publishInterval));

    /// <summary>Props for the entity, handing accepted events to <paramref name="historyWriter"/> for history facts.</summary>
    public static Props PropsFor(string entityId, TimeProvider time, IActorRef snapshotWriter, IActorRef historyWriter, TimeSpan publishInterval,
        TimeSpan? minuteCheckInterval = null, IStoreTombstones? tombstones = null, GroupCommitMetrics? metrics = null)
    {
        var check = minuteCheckInterval ?? DefaultMinuteCheckInterval;
        return Props.Create(() => new TenantStoreActor(entityId, time, snapshotWriter, historyWriter, publishInterval, check, tombstones, metrics));
    }

    /// <summary>How often the clock is read for completed minutes when the host does not say (<see cref="EngineOptions.MinuteCheckInterval"/>).</summary>
    public static readonly TimeSpan DefaultMinuteCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>Sent by sharding on passivation and hand-off: flush, snapshot, then stop.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();

        private Stop()
        {
        }
    }

    /// <summary>A Record waiting for an answer: the command and who asked.</summary>
    private sealed record Waiter(TenantStore.Record Record, IActorRef ReplyTo);

    private sealed class WriteNext
    {
        public static readonly WriteNext Instance = new();
    }

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed class MinuteTick
    {
        public static readonly MinuteTick Instance = new();
    }

    private sealed class HistoryRetry
    {
        public static readonly HistoryRetry Instance = new();
    }

    private sealed class StopTimeout
    {
        public static readonly StopTimeout Instance = new();
    }
}

/// <summary>How a store maps to its sharding entity id, shard and persistence id.</summary>
public static class TenantStoreIds
{
    /// <summary>
    /// Fixed for the life of the journal: about 10 x the most nodes we expect (10), so shards spread evenly
    /// as nodes come and go. Changing it moves stores to other shards and breaks routing of live entities.
    /// </summary>
    public const int ShardCount = 100;

    /// <summary>"{tenant}/{store}" with each part URL-escaped, so a '/' inside an id cannot split it.</summary>
    public static string EntityIdFor(StoreRef store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"{Uri.EscapeDataString(store.TenantId)}/{Uri.EscapeDataString(store.StoreId)}";
    }

    public static StoreRef StoreFromEntityId(string entityId)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        var parts = entityId.Split('/');
        return parts.Length == 2
            ? new StoreRef(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : throw new ArgumentException($"'{entityId}' is not a tenant-store entity id", nameof(entityId));
    }

    /// <summary>
    /// "store-{tenant}-{store}", each part escaped including '-', so tenant "a-b"/store "c" and tenant "a"/store
    /// "b-c" cannot share a journal.
    /// </summary>
    public static string PersistenceIdFor(StoreRef store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"store-{EscapeDash(store.TenantId)}-{EscapeDash(store.StoreId)}";

        static string EscapeDash(string value) => Uri.EscapeDataString(value).Replace("-", "%2D", StringComparison.Ordinal);
    }
}

/// <summary>
/// Routes every <see cref="IWithStoreRef"/> message to its store's entity, on a stable (Murmur) hash of the
/// entity id. ShardingEnvelope and StartEntity are unwrapped by Akka itself before this is asked.
/// </summary>
public sealed class TenantStoreMessageExtractor : HashCodeMessageExtractor
{
    public TenantStoreMessageExtractor()
        : base(TenantStoreIds.ShardCount)
    {
    }

    public override string? EntityId(object message) => message is IWithStoreRef routed ? TenantStoreIds.EntityIdFor(routed.Store) : null;
}

/// <summary>Akka.Hosting wiring for the tenant-store shard region.</summary>
public static class TenantStoreHosting
{
    public const string TypeName = "tenant-store";

    /// <summary>Entities idle this long are passivated; their state is in the snapshot and journal.</summary>
    public static readonly TimeSpan PassivateAfter = TimeSpan.FromMinutes(30);

    /// <summary>Starts the tenant-store shard region; needs clustering, persistence, pub-sub and the snapshot writer.</summary>
    public static AkkaConfigurationBuilder AddTenantStores(this AkkaConfigurationBuilder builder, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithShardRegion<TenantStoreRegion>(
            TypeName,
            (_, registry, resolver) =>
            {
                var time = resolver.GetService<TimeProvider>();
                var options = resolver.GetService<IOptions<EngineOptions>>().Value;
                // Optional: a host that never deletes stores (the bench, engine tests) registers none.
                var read = resolver.GetService<IEnumerable<IStoreTombstones>>().FirstOrDefault();
                // Entities starting together (a backlog over many new stores) share one tombstone read.
                var tombstones = read is null ? null : new CoalescingStoreTombstones(read);
                // Optional as well: hosts that build the region without AddSalesDashEngine's services measure nothing.
                var metrics = resolver.GetService<IEnumerable<GroupCommitMetrics>>().FirstOrDefault();
                // The history writer is looked up per entity (after start-up), so hosts without history still run.
                return entityId => TenantStoreActor.PropsFor(entityId, time, registry.Get<SnapshotWriter>(),
                    registry.TryGet<HistoryWriter>(out var history) ? history : ActorRefs.Nobody, options.TilePublishInterval,
                    options.MinuteCheckInterval, tombstones, metrics);
            },
            new TenantStoreMessageExtractor(),
            new ShardOptions
            {
                Role = role,
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                ShouldPassivateIdleEntities = true,
                PassivateIdleEntityAfter = PassivateAfter,
                HandOffStopMessage = TenantStoreActor.Stop.Instance,
            });
    }
}
