using Akka.Actor;
using Akka.Event;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// The entity's quarantine hook: every event passes <see cref="CommerceEventGuard"/> and <see cref="KpiState.TryApply"/>
/// before it counts, and one that fails is held in the <see cref="QuarantineBook"/> with its reason instead of throwing,
/// so the store keeps answering, accepting and recovering. Kept apart from the persist/ack path in TenantStoreActor.cs.
/// </summary>
public sealed partial class TenantStoreActor
{
    private QuarantineBook _quarantine = new();

    /// <summary>The quarantine id of a journaled event: its sequence number, which replay gives it again.</summary>
    private static string JournalEntryId(long sequenceNr) => $"j{sequenceNr}";

    /// <summary>Registers the quarantine's recovery handlers and commands; called from the constructor.</summary>
    private void QuarantineHandlers()
    {
        Recover<StoreQuarantine.EventQuarantined>(e => _quarantine.Add(e.Entry));
        Recover<StoreQuarantine.EntryReleased>(released =>
        {
            if (_quarantine.Take(released.Id) is { } entry)
            {
                FoldOrQuarantine(entry.Event, entry.Id);
            }
        });
        Recover<StoreQuarantine.EntryDiscarded>(discarded => _quarantine.Take(discarded.Id));

        Command<StoreQuarantine.List>(_ => Sender.Tell(new StoreQuarantine.Listed(_quarantine.Entries)));
        Command<StoreQuarantine.Retry>(Retry);
        Command<StoreQuarantine.Discard>(Discard);
    }

    /// <summary>
    /// Folds an event (live or replayed) into the figures and hands it to history; or, when it fails the guard or the
    /// fold, holds it in quarantine under <paramref name="entryId"/> and returns false. Never throws.
    /// </summary>
    private bool FoldOrQuarantine(CommerceEvent commerceEvent, string entryId)
    {
        IReadOnlyCollection<DateTimeOffset> changed = [];
        var problem = CommerceEventGuard.Check(commerceEvent, _time.GetUtcNow()) ?? _state.TryApply(commerceEvent, out changed);
        if (problem is null)
        {
            _dirtyMinutes.UnionWith(changed);
            _historyWriter.Tell(new HistoryWriter.Record(commerceEvent));
            return true;
        }

        _quarantine.Add(new QuarantinedEvent(entryId, commerceEvent, problem.Field, problem.Detail, _time.GetUtcNow()));
        _log.Warning("Quarantined event {0} of {1} as {2}: {3}", commerceEvent.EventId, PersistenceId, entryId, problem);
        return false;
    }

    /// <summary>
    /// The entity's own door, for events that reach it without passing an ingest's guard (Kafka records written by
    /// another producer or an older release). A failing event is journaled as <see cref="StoreQuarantine.EventQuarantined"/>
    /// and answered <see cref="IngestOutcome.Quarantined"/>, so its Kafka offset is committed and the partition moves on.
    /// </summary>
    /// <returns>True when the event was held aside (and answered); false when it may be recorded.</returns>
    private bool QuarantinedAtDoor(CommerceEvent commerceEvent)
    {
        var problem = commerceEvent is null ? new GuardProblem("event", "missing") : CommerceEventGuard.Check(commerceEvent, _time.GetUtcNow()) ?? _state.Check(commerceEvent);
        if (problem is null)
        {
            return false;
        }

        if (commerceEvent is null)
        {
            Sender.Tell(new TenantStore.Recorded(string.Empty, IngestOutcome.Quarantined));
            return true;
        }

        // A redelivered bad record is held once.
        if (commerceEvent.EventId is { } eventId && _quarantine.FindByEventId(eventId) is not null)
        {
            Sender.Tell(new TenantStore.Recorded(eventId, IngestOutcome.Quarantined));
            return true;
        }

        var entry = new QuarantinedEvent("q" + Guid.NewGuid().ToString("N"), commerceEvent, problem.Field, problem.Detail, _time.GetUtcNow());
        var replyTo = Sender;
        PersistAsync(new StoreQuarantine.EventQuarantined(entry), persisted =>
        {
            _quarantine.Add(persisted.Entry);
            _log.Warning("Quarantined event {0} of {1} at the door: {2}", commerceEvent.EventId, PersistenceId, problem);
            replyTo.Tell(new TenantStore.Recorded(commerceEvent.EventId ?? string.Empty, IngestOutcome.Quarantined));
        });
        return true;
    }

    private void Retry(StoreQuarantine.Retry retry)
    {
        if (_quarantine.Find(retry.Id) is not { } entry)
        {
            Sender.Tell(new StoreQuarantine.Retried(retry.Id, RetryOutcome.NotFound, null));
            return;
        }

        var now = _time.GetUtcNow();
        if ((CommerceEventGuard.Check(entry.Event, now) ?? _state.Check(entry.Event)) is { } problem)
        {
            _quarantine.Explain(entry.Id, problem.Field, problem.Detail);
            Sender.Tell(new StoreQuarantine.Retried(entry.Id, RetryOutcome.StillInvalid, problem));
            return;
        }

        var outcome = _state.Decide(entry.Event) == IngestOutcome.Duplicate || _inFlight.Covers(entry.Event) ? RetryOutcome.Duplicate : RetryOutcome.Applied;
        var replyTo = Sender;

        // Persist (not PersistAsync): nothing else is decided until the release is journaled and folded in.
        Persist(new StoreQuarantine.EntryReleased(entry.Id, now), released =>
        {
            _quarantine.Take(released.Id);
            if (FoldOrQuarantine(entry.Event, released.Id))
            {
                _changedSincePublish = true;
                PublishSoon();
                replyTo.Tell(new StoreQuarantine.Retried(released.Id, outcome, null));
            }
            else
            {
                var again = _quarantine.Find(released.Id);
                replyTo.Tell(new StoreQuarantine.Retried(released.Id, RetryOutcome.StillInvalid, again is null ? null : new GuardProblem(again.Field, again.Reason)));
            }
        });
    }

    private void Discard(StoreQuarantine.Discard discard)
    {
        if (_quarantine.Find(discard.Id) is null)
        {
            Sender.Tell(new StoreQuarantine.Discarded(discard.Id, false));
            return;
        }

        var replyTo = Sender;
        Persist(new StoreQuarantine.EntryDiscarded(discard.Id, _time.GetUtcNow()), discarded =>
        {
            _quarantine.Take(discarded.Id);
            replyTo.Tell(new StoreQuarantine.Discarded(discarded.Id, true));
        });
    }

    /// <summary>The figures, the quarantine and the Kafka offsets folded together, so entries found before the snapshot survive it.</summary>
    private KpiSnapshot TakeSnapshot() => _state.ToSnapshot() with
    {
        Quarantine = _quarantine.Count == 0 ? null : _quarantine.Entries,
        KafkaOffsets = _kafkaFolded.Count == 0 ? null : new Dictionary<string, long>(_kafkaFolded, StringComparer.Ordinal),
    };
}
