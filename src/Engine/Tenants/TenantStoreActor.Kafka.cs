using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// Kafka mode's path into the entity. Kafka is the log there, so a second per-event journal would only halve the fold
/// rate: a <see cref="TenantStore.RecordBatch"/> is folded at once and answered, and becomes durable with the next
/// checkpoint, a snapshot that carries the highest offset folded per partition (<see cref="KpiSnapshot.KafkaOffsets"/>).
/// The consumer commits a partition only up to what every entity with records on it has checkpointed, so after a crash
/// Kafka redelivers from below the checkpoint and records at or below it are skipped: exact without a journal. The
/// embedded path (<see cref="TenantStore.Record"/>, journal per event) is untouched.
/// </summary>
public sealed partial class TenantStoreActor
{
    /// <summary>Highest offset folded per "topic/partition" (records up to it are in <see cref="_state"/>).</summary>
    private Dictionary<string, long> _kafkaFolded = new(StringComparer.Ordinal);

    /// <summary>Highest offset per partition that the last saved snapshot holds.</summary>
    private Dictionary<string, long> _kafkaDurable = new(StringComparer.Ordinal);

    /// <summary>The offsets held by the snapshot being saved; null while none is. One at a time: see <see cref="SaveCheckpoint"/>.</summary>
    private Dictionary<string, long>? _snapshotOffsets;

    private bool _snapshotInFlight;
    private bool _snapshotAgain;
    private readonly List<CheckpointWaiter> _checkpointWaiters = [];

    private void KafkaHandlers()
    {
        Command<TenantStore.RecordBatch>(RecordBatch);
        Command<TenantStore.Checkpoint>(checkpoint =>
        {
            var durable = Durable(checkpoint.Partition);
            var folded = _kafkaFolded.GetValueOrDefault(checkpoint.Partition, -1);
            if (durable >= folded)
            {
                Sender.Tell(new TenantStore.Checkpointed(checkpoint.Partition, durable));
                return;
            }

            _checkpointWaiters.Add(new CheckpointWaiter(Sender, checkpoint.Partition, folded));
            // A store with records on many partitions is asked once per partition in each round, the asks side by side
            // in its mailbox: the snapshot the first one started already holds the others' records, and asking for
            // another would save the whole state twice per round.
            if (_snapshotOffsets?.GetValueOrDefault(checkpoint.Partition, -1) >= folded)
            {
                return;
            }

            SaveCheckpoint();
        });
    }

    private void RecoverKafkaOffsets(KpiSnapshot snapshot)
    {
        _kafkaFolded = snapshot.KafkaOffsets is null ? new(StringComparer.Ordinal) : new(snapshot.KafkaOffsets, StringComparer.Ordinal);
        _kafkaDurable = new(_kafkaFolded, StringComparer.Ordinal);
    }

    private long Durable(string partition) => _kafkaDurable.GetValueOrDefault(partition, -1);

    private void RecordBatch(TenantStore.RecordBatch batch)
    {
        if (RefusedAsDeleted())
        {
            return;
        }

        if (_refusedByHistory.Count > 0)
        {
            // The history writer is full: as for Record, take no more until it has taken these.
            Stash.Stash();
            return;
        }

        var folded = _kafkaFolded.GetValueOrDefault(batch.Partition, -1);
        if (batch.After > folded)
        {
            // A delivery before this one was lost on the way (an entity stopping with it in its mailbox): folding this one
            // would move the offset past records never folded, and a checkpoint would then skip them for good.
            Sender.Tell(new TenantStore.BatchRecorded([], Durable(batch.Partition), Gap: true));
            return;
        }

        var now = _time.GetUtcNow();
        var outcomes = new IngestOutcome[batch.Records.Count];
        List<CommerceEvent>? accepted = null;
        for (var i = 0; i < batch.Records.Count; i++)
        {
            var (offset, commerceEvent) = batch.Records[i];
            outcomes[i] = offset <= folded ? IngestOutcome.Duplicate : FoldFromKafka(commerceEvent, now);
            if (offset > folded)
            {
                folded = offset;
                _eventsSinceSnapshot++;
            }

            if (outcomes[i] == IngestOutcome.Accepted)
            {
                (accepted ??= new List<CommerceEvent>(batch.Records.Count - i)).Add(commerceEvent);
            }
        }

        if (accepted is not null)
        {
            // One hand-off per delivery: the writer builds one batch of facts for all of them.
            _historyWriter.Tell(new HistoryWriter.RecordAll(accepted));
        }

        if (batch.Records.Count > 0)
        {
            _kafkaFolded[batch.Partition] = folded;
        }

        Sender.Tell(new TenantStore.BatchRecorded(outcomes, Durable(batch.Partition)));
        if (accepted is not null)
        {
            _changedSincePublish = true;
            PublishSoon();
        }

        if (SnapshotPolicy.IsDue(_eventsSinceSnapshot, _state.TrackedOrderCount + _state.RememberedEventIdCount))
        {
            SaveCheckpoint();
        }
    }

    /// <summary>
    /// One record (its history facts are the caller's to hand over): a bad one is held in quarantine (kept in the next checkpoint, as the journal keeps it on the embedded
    /// path), a repeat is a duplicate, the rest is folded in. Never throws.
    /// </summary>
    private IngestOutcome FoldFromKafka(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        if (commerceEvent is null)
        {
            return IngestOutcome.Quarantined;
        }

        var problem = CommerceEventGuard.Check(commerceEvent, now);
        if (problem is null && _state.Decide(commerceEvent) == IngestOutcome.Duplicate)
        {
            return IngestOutcome.Duplicate;
        }

        // Checked and decided just above, with nothing folded since: TryApplyDecided does not run either again.
        problem ??= _state.TryApplyDecided(commerceEvent, _dirtyMinutes);
        if (problem is null)
        {
            return IngestOutcome.Accepted;
        }

        // A redelivered bad record is held once.
        if (commerceEvent.EventId is null || _quarantine.FindByEventId(commerceEvent.EventId) is null)
        {
            _quarantine.Add(new QuarantinedEvent("q" + Guid.NewGuid().ToString("N"), commerceEvent, problem.Field, problem.Detail, now));
            _log.Warning("Quarantined Kafka record {0} of {1}: {2}", commerceEvent.EventId, PersistenceId, problem);
        }

        return IngestOutcome.Quarantined;
    }

    /// <summary>
    /// Saves a snapshot, one at a time. In Kafka mode nothing is journaled between two checkpoints, so they share a
    /// sequence number, and the snapshot store replaces a row of the same number: two saves in flight could land in
    /// either order and leave the older one, whose offsets the consumer may already have committed past.
    /// </summary>
    private void SaveCheckpoint()
    {
        if (_snapshotInFlight)
        {
            _snapshotAgain = true;
            return;
        }

        var snapshot = TakeSnapshot();
        _snapshotInFlight = true;
        _snapshotAgain = false;
        _snapshotOffsets = new Dictionary<string, long>(_kafkaFolded, StringComparer.Ordinal);
        _eventsSinceSnapshot = 0;
        SaveSnapshotWhenWritten(snapshot);
    }

    private void SnapshotSaved(SaveSnapshotSuccess success)
    {
        // Only when an older sequence number exists: a bound of 0 or below reads as "no bound" to some snapshot stores
        // (Akka's in-memory one), which then delete the snapshot just saved. Kafka mode's checkpoints all have sequence
        // number 0 and replace each other in place, so they have nothing older to delete.
        if (success.Metadata.SequenceNr > 1)
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
        }

        if (_snapshotOffsets is not null)
        {
            _kafkaDurable = _snapshotOffsets;
        }

        SnapshotSettled();
    }

    private void SnapshotFailed(SaveSnapshotFailure failure)
    {
        _log.Warning(failure.Cause, "Snapshot of {0} failed; the journal (or Kafka, past the last checkpoint) still has every event", PersistenceId);
        // Waiters hear the checkpoint that did land; the consumer asks again later, and commits nothing beyond it meanwhile.
        _checkpointWaiters.ForEach(w => w.ReplyTo.Tell(new TenantStore.Checkpointed(w.Partition, Durable(w.Partition))));
        _checkpointWaiters.Clear();
        _snapshotInFlight = false;
        _snapshotOffsets = null;
    }

    private void SnapshotSettled()
    {
        _snapshotInFlight = false;
        _snapshotOffsets = null;
        _checkpointWaiters.RemoveAll(w =>
        {
            if (Durable(w.Partition) < w.Folded)
            {
                return false;
            }

            w.ReplyTo.Tell(new TenantStore.Checkpointed(w.Partition, Durable(w.Partition)));
            return true;
        });

        if (_snapshotAgain || _checkpointWaiters.Count > 0)
        {
            SaveCheckpoint();
        }
    }

    /// <summary>Someone waiting for the partition's records up to <paramref name="Folded"/> to be checkpointed.</summary>
    private sealed record CheckpointWaiter(IActorRef ReplyTo, string Partition, long Folded);
}
