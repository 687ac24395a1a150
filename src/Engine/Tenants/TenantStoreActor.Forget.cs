using Akka.Actor;
using Akka.Persistence;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;

namespace SalesDash.Engine.Tenants;

/// <summary>Deleting a store with its data: the entity's part (journal, snapshots, and what it handed to the writers).</summary>
public sealed partial class TenantStoreActor
{
    private void ForgetHandlers() => Command<TenantStore.Forget>(_ => BeginForget(Sender));

    /// <summary>
    /// Drops everything not yet written and waits (DeferAsync) for writes already under way, so no event reaches the
    /// journal after its deletion; then deletes the journal and the snapshots. A store being deleted answers no one:
    /// its webhooks already answer 404, so a waiting sender's retry finds no store.
    /// </summary>
    private void BeginForget(IActorRef requester)
    {
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
}
