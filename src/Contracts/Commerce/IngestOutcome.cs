namespace SalesDash.Contracts.Commerce;

/// <summary>What became of an event handed to ingestion.</summary>
public enum IngestOutcome
{
    /// <summary>The event is durable and will be (or has been) folded into the store's figures.</summary>
    Accepted,

    /// <summary>The event was seen before (same event id, or an order version not newer than the one held).</summary>
    Duplicate,

    /// <summary>The event is durable but could not be counted; the store holds it in quarantine for an Admin to retry or discard.</summary>
    Quarantined,
}
