using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;

namespace SalesDash.Engine.Tenants;

/// <summary>Messages of the per-store tenant entity, the one place a store's live figures are kept.</summary>
public static class TenantStore
{
    /// <summary>Fold this event into the store's figures; answered with <see cref="Recorded"/> once durable.</summary>
    public sealed record Record(CommerceEvent Event) : IWithStoreRef
    {
        public StoreRef Store => Event.Store;
    }

    /// <summary>The event is durable (Accepted) or was already known (Duplicate).</summary>
    public sealed record Recorded(string EventId, IngestOutcome Outcome);

    /// <summary>
    /// Kafka mode's delivery: one store's records of one partition, in offset order. The entity folds them without
    /// journaling each (Kafka is the log) and answers <see cref="BatchRecorded"/> at once; they become durable with its
    /// next checkpoint, a snapshot that carries the highest offset folded per partition. <paramref name="After"/> is the
    /// last offset the sender delivered to this store on this partition before (-1 for none in this assignment): an
    /// entity that has not folded that far missed a delivery and answers with a gap instead of folding past it.
    /// </summary>
    public sealed record RecordBatch(StoreRef Store, string Partition, long After, IReadOnlyList<PositionedEvent> Records) : IWithStoreRef;

    /// <summary>A record of a <see cref="RecordBatch"/> and its offset in the partition.</summary>
    public sealed record PositionedEvent(long Offset, CommerceEvent Event);

    /// <summary>
    /// The batch is folded (one outcome per record, in order), or refused whole with <paramref name="Gap"/> set because an
    /// earlier delivery never arrived. <paramref name="Durable"/>: the highest offset of the partition the entity's saved
    /// checkpoint covers (-1 for none); only records at or below it may be committed.
    /// </summary>
    public sealed record BatchRecorded(IReadOnlyList<IngestOutcome> Outcomes, long Durable, bool Gap = false);

    /// <summary>Make what was folded from this partition durable now; answered with <see cref="Checkpointed"/> once it is (or why not: a lower offset).</summary>
    public sealed record Checkpoint(StoreRef Store, string Partition) : IWithStoreRef;

    /// <summary>The highest offset of the partition the entity's saved checkpoint covers (-1 for none).</summary>
    public sealed record Checkpointed(string Partition, long Durable);

    /// <summary>Asks for the store's tiles now; answered with <see cref="DashboardTiles"/> and changes nothing.
    /// Currency and zone are given so a store with no events yet still answers in its own terms.</summary>
    public sealed record GetTiles(StoreRef Store, string Currency, string TimeZone) : IWithStoreRef;

    /// <summary>
    /// The store's profile says which currency and zone its pushed tiles and closed minutes are in; until one arrives
    /// the entity uses those of its latest event. A command of its own, so reading tiles never changes the entity.
    /// </summary>
    public sealed record UseProfile(StoreRef Store, string Currency, string TimeZone) : IWithStoreRef;

    /// <summary>
    /// The sender (a node's tile relay) has screens watching the store: the entity answers it with the tiles now, in the
    /// profile's terms (as <see cref="UseProfile"/> sets them), and tells it every change after (coalesced), until
    /// <see cref="UnwatchTiles"/> or the sender stops. Tiles exist for screens, so with no watcher the entity builds none.
    /// The entity forgets its watchers when it stops or restarts: a relay watches the entity that answers (death watch,
    /// which also covers a node that crashed), is told <see cref="TilesWatchEnded"/> by one that restarts, sends this
    /// again at once on either, and again now and then besides.
    /// The watcher is the message's sender, not a field, so the message crosses nodes as plain JSON.
    /// </summary>
    public sealed record WatchTiles(StoreRef Store, string Currency, string TimeZone) : IWithStoreRef;

    /// <summary>The sender has no screen of the store any more: no more tiles for it.</summary>
    public sealed record UnwatchTiles(StoreRef Store) : IWithStoreRef;

    /// <summary>Told to each watcher (<see cref="WatchTiles"/>) whenever the store's tiles change (coalesced).</summary>
    public sealed record TilesPublished(DashboardTiles Tiles);

    /// <summary>
    /// Told to each watcher by an entity that restarts after a failure: its new incarnation (the same actor, so no death
    /// watch fires) has forgotten its watchers, and a watcher that wants the tiles must send <see cref="WatchTiles"/> again.
    /// </summary>
    public sealed record TilesWatchEnded(StoreRef Store);

    /// <summary>
    /// The store is being deleted with its data: the entity deletes its journal and snapshots, waits until what it
    /// handed to the history and minute writers is written (so the deletion of history that follows finds it), answers
    /// <see cref="Forgotten"/> and stops without a final snapshot. Sent only after the store is gone from the directory,
    /// so nothing records into it again.
    /// </summary>
    public sealed record Forget(StoreRef Store) : IWithStoreRef;

    /// <summary>The entity's journal and snapshots are deleted (<paramref name="Failure"/> null) or why they are not.</summary>
    public sealed record Forgotten(StoreRef Store, string? Failure);
}

/// <summary>Key for the tenant-store shard region in the actor registry (IRequiredActor&lt;TenantStoreRegion&gt;).</summary>
public sealed class TenantStoreRegion;
