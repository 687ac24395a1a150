using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Tenants;

/// <summary>Deleting a store with its data: the entity's part (journal, snapshots, and what it handed to the writers).</summary>
public sealed partial class TenantStoreActor
{
    private const string TombstoneTimer = "tombstone";

    /// <summary>How long an entity waits before asking again when the tombstones could not be read.</summary>
    private static readonly TimeSpan TombstoneRetryInterval = TimeSpan.FromSeconds(1);

    private readonly IStoreTombstones? _tombstones;
    private bool _recoveredAnything;
    private Tombstone _tombstone = Tombstone.Live;

    /// <summary>What the entity knows of its store's deletion.</summary>
    private enum Tombstone
    {
        /// <summary>Not deleted (or the host keeps no tombstones): events are taken.</summary>
        Live,

        /// <summary>Started with nothing recovered and asking the tombstones: events wait (stashed) for the answer.</summary>
        Reading,

        /// <summary>Deleted, or being deleted: every event is refused with <see cref="StoreDeletedException"/>.</summary>
        Deleted,
    }

    private void ForgetHandlers()
    {
        Command<TenantStore.Forget>(_ => BeginForget(Sender));
        Command<TombstoneRead>(read =>
        {
            _tombstone = read.Deleted ? Tombstone.Deleted : Tombstone.Live;
            Stash.UnstashAll();
        });
        Command<TombstoneUnreadable>(unreadable =>
        {
            _log.Warning(unreadable.Cause, "Could not read whether {0} was deleted; its events wait and it asks again", _store);
            Timers.StartSingleTimer(TombstoneTimer, ReadTombstone.Instance, TombstoneRetryInterval);
        });
        Command<ReadTombstone>(_ => ReadTombstoneNow());
    }

    /// <summary>
    /// The decisive guard of a deletion, which no cache lag or message in flight gets past. A deleted store's entity
    /// always starts with nothing to recover (its journal and snapshots are deleted, or are being deleted by the
    /// incarnation that will stop before this one starts), so an entity that recovered nothing asks the host's
    /// tombstones before it takes an event, and refuses every event of a deleted store. The other orders of events are
    /// covered too: an event that reached the entity before <see cref="TenantStore.Forget"/> is deleted by it, one that
    /// arrives while it forgets is refused, and one that arrives after it stopped starts an incarnation that asks.
    /// A store with history pays nothing: it recovers something and never asks (its deletion still goes through Forget).
    /// </summary>
    private void ReadTombstoneIfEmpty()
    {
        if (!_recoveredAnything && _tombstones is not null && _tombstone == Tombstone.Live)
        {
            _tombstone = Tombstone.Reading;
            ReadTombstoneNow();
        }
    }

    private void ReadTombstoneNow()
    {
        if (_tombstones is null || _tombstone != Tombstone.Reading)
        {
            return;
        }

        _tombstones.IsDeletedAsync(_store, CancellationToken.None).PipeTo(Self,
            success: deleted => new TombstoneRead(deleted),
            failure: e => new TombstoneUnreadable(e));
    }

    /// <summary>True when the record was answered (refused) or put aside here rather than taken.</summary>
    private bool RefusedAsDeleted()
    {
        switch (_tombstone)
        {
            case Tombstone.Reading:
                Stash.Stash();
                return true;
            case Tombstone.Deleted:
                Sender.Tell(new Status.Failure(StoreDeletedException.For(_store)));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Drops everything not yet written and waits (DeferAsync) for writes already under way, so no event reaches the
    /// journal after its deletion; then deletes the journal and the snapshots. A store being deleted answers no one:
    /// its webhooks already answer 404, so a waiting sender's retry finds no store.
    /// </summary>
    private void BeginForget(IActorRef requester)
    {
        _tombstone = Tombstone.Deleted;
        // Records put aside (waiting for the tombstone or the history writer) are refused now rather than lost at the stop.
        Stash.UnstashAll();
        Timers.CancelAll();
        _pending = [];
        _waiting.Clear();
        _refusedByHistory.Clear();
        _dirtyMinutes.Clear();
        DeferAsync(requester, _ =>
        {
            var progress = new ForgetProgress(requester);
            Become(() => Forgetting(progress));
            DeleteMessages(LastSequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue));
        });
    }

    private void Forgetting(ForgetProgress progress)
    {
        Command<DeleteMessagesSuccess>(_ => Step(progress, journal: true));
        Command<DeleteMessagesFailure>(failure => Step(progress, journal: true, failure: failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => Step(progress, snapshots: true));
        Command<DeleteSnapshotsFailure>(failure => Step(progress, snapshots: true, failure: failure.Cause.Message));
        Command<HistoryWriter.Flushed>(_ => Step(progress, writer: true));
        Command<SnapshotWriter.Flushed>(_ => Step(progress, writer: true));
        // Refused rather than left unanswered: the sender drops it instead of waiting out its ask and retrying.
        Command<TenantStore.Record>(_ => Sender.Tell(new Status.Failure(StoreDeletedException.For(_store))));
        Command<TenantStore.RecordBatch>(_ => Sender.Tell(new Status.Failure(StoreDeletedException.For(_store))));
        // Nothing else is taken: the store is gone, and a message that starts a new entity finds an empty journal.
        CommandAny(_ => { });
    }

    private void Step(ForgetProgress progress, bool journal = false, bool snapshots = false, bool writer = false, string? failure = null)
    {
        if (failure is not null)
        {
            progress.Failure ??= failure;
        }

        progress.JournalDone |= journal;
        progress.SnapshotsDone |= snapshots;
        if (writer)
        {
            progress.WritersLeft--;
        }

        if (!progress.JournalDone || !progress.SnapshotsDone)
        {
            return;
        }

        if (!progress.FlushAsked)
        {
            // Events replayed or folded before the forget were handed to this node's writers; once they say those are
            // written, the caller's deletion of history cannot be overtaken by them.
            progress.FlushAsked = true;
            if (!_historyWriter.IsNobody())
            {
                progress.WritersLeft++;
                _historyWriter.Tell(HistoryWriter.FlushNow.Instance);
            }

            if (!_snapshotWriter.IsNobody())
            {
                progress.WritersLeft++;
                _snapshotWriter.Tell(SnapshotWriter.FlushNow.Instance);
            }
        }

        if (progress.WritersLeft > 0)
        {
            return;
        }

        progress.Requester.Tell(new TenantStore.Forgotten(_store, progress.Failure));
        Context.Stop(Self);
    }

    private sealed class ForgetProgress(IActorRef requester)
    {
        public IActorRef Requester { get; } = requester;
        public bool JournalDone { get; set; }
        public bool SnapshotsDone { get; set; }
        public bool FlushAsked { get; set; }
        public int WritersLeft { get; set; }
        public string? Failure { get; set; }
    }

    private sealed record TombstoneRead(bool Deleted);

    private sealed record TombstoneUnreadable(Exception Cause);

    private sealed class ReadTombstone
    {
        public static readonly ReadTombstone Instance = new();
    }
}
