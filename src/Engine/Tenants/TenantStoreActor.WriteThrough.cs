using Akka.Actor;
using Akka.Persistence;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// A snapshot (and in Kafka mode the checkpoint it carries) is saved only once the node's writers say the history facts
/// and minute rows of every event it covers are in their stores. Recovery hands over again only what it replays after
/// the snapshot, so a snapshot saved while those were still in a writer's memory lost them to a crash (a kill, out of
/// memory, a flush that ran past its shutdown timeout) for good. The state is captured when the snapshot is due, with
/// its sequence number, and held until the writers answer; the entity keeps taking commands meanwhile, and the events
/// after it are covered by the journal (or Kafka, past the last checkpoint) until the next snapshot.
/// </summary>
public sealed partial class TenantStoreActor
{
    private long _writeThroughToken;

    /// <summary>The snapshot captured and waiting for the writers; null while none is. At most one (see <see cref="SaveCheckpoint"/>).</summary>
    private HeldSnapshot? _held;

    /// <summary>True once the entity is stopping: what it hands the writers from then on is forced, as the rest of its stop is.</summary>
    private bool _stopping;

    /// <summary>
    /// The writers' answers, the same while running and while stopping (<see cref="_stopping"/> decides what a refusal
    /// leads to), so the stopping behaviour cannot drop one the running behaviour keeps.
    /// </summary>
    private void WriterHandlers()
    {
        Command<BatchWriter.Written>(WrittenThrough);
        Command<HistoryWriter.Refused>(HistoryRefused);
        Command<SnapshotWriter.Refused>(RowsRefused);
        Command<BatchWriter.Room>(_ =>
        {
            // The history writer has written a batch since it refused: hand the facts over now, not when the timer fires.
            // A stopping entity forces them over once the writers answer, and minute rows go again with the next flush.
            if (!_stopping && _refusedByHistory.Count > 0 && Sender.Equals(_historyWriter))
            {
                Timers.Cancel(HistoryRetryTimer);
                RetryRefusedFacts();
            }
        });
    }

    /// <summary>Hands refused facts over again and takes the events held meanwhile.</summary>
    private void RetryRefusedFacts()
    {
        HandOverRefusedFacts();
        AskAgainIfWaiting();
        Stash.UnstashAll();
    }

    /// <summary>
    /// The history writer was full: the entity keeps the event and hands it over again when the writer says it has room
    /// (<see cref="BatchWriter.Room"/>), or after <see cref="HistoryRetryInterval"/> if it does not say so.
    /// A stopping entity has no later: its final snapshot forces the event over once the writers answer (<see cref="WrittenThrough"/>).
    /// </summary>
    private void HistoryRefused(HistoryWriter.Refused refused)
    {
        _refusedByHistory.Add(refused.Event);
        NoteRefusal();
        if (!_stopping)
        {
            RetryRefusedFactsSoon();
        }
    }

    private void RetryRefusedFactsSoon()
    {
        if (!Timers.IsTimerActive(HistoryRetryTimer))
        {
            Timers.StartSingleTimer(HistoryRetryTimer, HistoryRetry.Instance, HistoryRetryInterval);
        }
    }

    /// <summary>
    /// The snapshot writer was full. Rows are absolute: the minutes are handed over again at the next flush, with whatever
    /// they hold by then; a stopping entity hands them over forced with its final snapshot's question instead.
    /// </summary>
    private void RowsRefused(SnapshotWriter.Refused refused)
    {
        _dirtyMinutes.UnionWith(refused.Rows.Select(row => row.Minute));
        NoteRefusal();
        if (!_stopping)
        {
            PublishSoon();
        }
    }

    /// <summary>Captures <paramref name="snapshot"/> at the current sequence number and saves it once the writers have written what it covers.</summary>
    private void SaveSnapshotWhenWritten(KpiSnapshot snapshot)
    {
        _held = new HeldSnapshot(new SnapshotMetadata(SnapshotterId, SnapshotSequenceNr, _time.GetUtcNow().UtcDateTime), snapshot);
        AskWriteThrough(_held);
    }

    private void AskWriteThrough(HeldSnapshot held)
    {
        held.Token = ++_writeThroughToken;
        held.Awaiting = 0;
        held.RefusedMeanwhile = false;
        held.AskAgain = false;

        // Minutes changed since the last push are covered by the snapshot too: their rows go ahead of the question.
        HandOverRows(_stopping);
        foreach (var writer in new[] { _snapshotWriter, _historyWriter })
        {
            if (!writer.IsNobody())
            {
                writer.Tell(new BatchWriter.WriteThrough(held.Token));
                held.Awaiting++;
            }
        }

        if (held.Awaiting == 0)
        {
            SaveHeld(held);
        }
    }

    private void WrittenThrough(BatchWriter.Written written)
    {
        if (_held is not { } held || written.Token != held.Token || --held.Awaiting > 0)
        {
            return;
        }

        if (!held.RefusedMeanwhile && _refusedByHistory.Count == 0)
        {
            SaveHeld(held);
            return;
        }

        // A full writer refused some of what the snapshot covers: the entity holds those and hands them over again, and
        // the snapshot asks again after that.
        if (_stopping)
        {
            HandOverRefusedFacts();
            AskWriteThrough(held);
            return;
        }

        held.AskAgain = true;
        RetryRefusedFactsSoon();
    }

    /// <summary>After refused facts went over again: a snapshot waiting for them asks the writers once more.</summary>
    private void AskAgainIfWaiting()
    {
        if (_held is { AskAgain: true } held)
        {
            AskWriteThrough(held);
        }
    }

    private void NoteRefusal()
    {
        if (_held is { } held)
        {
            held.RefusedMeanwhile = true;
        }
    }

    /// <summary>
    /// Hands the facts a full history writer refused over again: when the retry timer fires, or forced once the entity is
    /// stopping, since its final snapshot covers them and it cannot keep them for later.
    /// </summary>
    private void HandOverRefusedFacts()
    {
        foreach (var e in _refusedByHistory)
        {
            _historyWriter.Tell(new HistoryWriter.Record(e, Force: _stopping));
        }

        _refusedByHistory.Clear();
    }

    private void SaveHeld(HeldSnapshot held)
    {
        _held = null;
        SnapshotStore.Tell(new SaveSnapshot(held.Metadata, held.Snapshot));
    }

    /// <summary>A snapshot captured when it was due, waiting for the writers' answers to the question of <see cref="Token"/>.</summary>
    private sealed class HeldSnapshot(SnapshotMetadata metadata, KpiSnapshot snapshot)
    {
        public SnapshotMetadata Metadata { get; } = metadata;

        public KpiSnapshot Snapshot { get; } = snapshot;

        public long Token { get; set; }

        public int Awaiting { get; set; }

        /// <summary>A writer refused something while this question was out: the answer does not cover it.</summary>
        public bool RefusedMeanwhile { get; set; }

        /// <summary>Waiting for refused facts to go over again before asking once more.</summary>
        public bool AskAgain { get; set; }
    }
}
