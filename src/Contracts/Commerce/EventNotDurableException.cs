namespace SalesDash.Contracts.Commerce;

/// <summary>
/// The event was not stored (the journal refused or failed the write holding it), so it must not be acknowledged;
/// delivering it again is safe because the entity dedupes. A <see cref="TimeoutException"/> on purpose: for the sender
/// it is the same as not being durable in time, and every ingestion door already answers that with "not stored yet,
/// retry" (503, or an uncommitted Kafka offset) — no door has to learn a new failure to stay correct.
/// </summary>
public sealed class EventNotDurableException(string message, Exception? innerException) : TimeoutException(message, innerException);
