using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Quarantine;

/// <summary>
/// An event a store holds aside instead of counting: it arrived already accepted (a Kafka record, an event journaled by
/// an earlier release) and cannot be folded in. <see cref="Field"/> and <see cref="Reason"/> say why, for the Admin.
/// </summary>
/// <param name="Id">Stable within the store: "j{sequence number}" for a journaled event, "q{sequence number}" for one held at the door.</param>
public sealed record QuarantinedEvent(string Id, CommerceEvent Event, string Field, string Reason, DateTimeOffset QuarantinedAt);

/// <summary>What an Admin's retry came to.</summary>
public enum RetryOutcome
{
    /// <summary>The event now passes and was folded into the figures.</summary>
    Applied,

    /// <summary>The event now passes but was already counted (the same event or a newer order version); it leaves quarantine.</summary>
    Duplicate,

    /// <summary>The event still fails; it stays in quarantine with the current reason.</summary>
    StillInvalid,

    /// <summary>No entry has that id (already retried or discarded).</summary>
    NotFound,
}

/// <summary>Messages of a store's quarantine, handled by the store's entity (<see cref="TenantStoreActor"/>).</summary>
public static class StoreQuarantine
{
    /// <summary>Asks for the store's quarantined events; answered with <see cref="Listed"/>.</summary>
    public sealed record List(StoreRef Store) : IWithStoreRef;

    /// <summary>The store's quarantined events, oldest first.</summary>
    public sealed record Listed(IReadOnlyList<QuarantinedEvent> Entries);

    /// <summary>"Retry after fix": run the guard and the fold with the code running now; answered with <see cref="Retried"/>.</summary>
    public sealed record Retry(StoreRef Store, string Id) : IWithStoreRef;

    /// <summary>The retry's outcome; <see cref="Problem"/> names the field still wrong when the outcome is StillInvalid.</summary>
    public sealed record Retried(string Id, RetryOutcome Outcome, GuardProblem? Problem);

    /// <summary>Drops an entry for good (the event is never counted); answered with <see cref="Discarded"/>.</summary>
    public sealed record Discard(StoreRef Store, string Id) : IWithStoreRef;

    /// <summary>False when no entry has that id.</summary>
    public sealed record Discarded(string Id, bool Found);

    /// <summary>Journal event: an event refused at the entity's door was held aside (the event travels inside).</summary>
    public sealed record EventQuarantined(QuarantinedEvent Entry);

    /// <summary>Journal event: a retried entry passed and its event was folded in at this point of the journal.</summary>
    public sealed record EntryReleased(string Id, DateTimeOffset At);

    /// <summary>Journal event: an Admin discarded the entry.</summary>
    public sealed record EntryDiscarded(string Id, DateTimeOffset At);
}
