using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History.Snapshots;

namespace SalesDash.Engine.History;

/// <summary>Whose figures a history query covers: one store, or every store of a tenant when <see cref="StoreId"/> is null.</summary>
public sealed record HistoryScope(string TenantId, string? StoreId)
{
    public static HistoryScope Store(string tenantId, string storeId) => new(tenantId, storeId);

    public static HistoryScope Tenant(string tenantId) => new(tenantId, null);
}

/// <summary>A half-open UTC interval [FromUtc, ToUtc).</summary>
public sealed record HistoryRange(DateTimeOffset FromUtc, DateTimeOffset ToUtc)
{
    public TimeSpan Length => ToUtc - FromUtc;
}

/// <summary>
/// The additive figures of a span of time. Orders count by the minute they were placed (cancelled ones included,
/// as the live tiles count them), refunds and sessions by the minute they happened.
/// </summary>
public sealed record HistoryTotals(
    decimal GrossRevenue,
    long Orders,
    long Units,
    long NewCustomerOrders,
    long ReturningCustomerOrders,
    long CancelledOrders,
    decimal Refunds,
    long RefundCount,
    long RefundedUnits,
    long Sessions)
{
    public static readonly HistoryTotals Zero = new(0m, 0, 0, 0, 0, 0, 0m, 0, 0, 0);

    public HistoryTotals Plus(HistoryTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new HistoryTotals(
            GrossRevenue + other.GrossRevenue,
            Orders + other.Orders,
            Units + other.Units,
            NewCustomerOrders + other.NewCustomerOrders,
            ReturningCustomerOrders + other.ReturningCustomerOrders,
            CancelledOrders + other.CancelledOrders,
            Refunds + other.Refunds,
            RefundCount + other.RefundCount,
            RefundedUnits + other.RefundedUnits,
            Sessions + other.Sessions);
    }
}

/// <summary>The totals of one fixed-size slot of a range; slot <see cref="Index"/> starts at FromUtc + Index × slot size.</summary>
public sealed record HistorySlot(long Index, HistoryTotals Totals);

/// <summary>What a breakdown groups by.</summary>
public enum BreakdownDimension
{
    Channel,
    Store,
    Product,
    Source,
    Country,
}

/// <summary>
/// One group of a breakdown. For products, revenue and units are the lines' (quantity × price) and orders count
/// the orders holding the SKU; refunded units come from refund lines that name the SKU. Sessions are known for
/// channel, store and source only (a session has no product or country).
/// </summary>
public sealed record BreakdownTotals(
    string Key,
    string Label,
    decimal GrossRevenue,
    long Orders,
    long Units,
    decimal Refunds,
    long RefundedUnits,
    long Sessions);

/// <summary>One order as the live order feed lists it, at its newest version.</summary>
/// <param name="Country">ISO country code, or "unknown" when the platform did not say.</param>
public sealed record RecentOrder(
    string StoreId,
    string OrderId,
    DateTimeOffset PlacedAt,
    SalesChannel Channel,
    string Currency,
    decimal Total,
    int Units,
    string Country,
    bool Cancelled);

/// <summary>
/// The history store: everything <see cref="IMinuteSnapshotStore"/> does for the live path, plus order, refund
/// and session facts for "compared to what, and why". Writes are batched and idempotent — replaying the same
/// facts leaves the same figures, and for an order the newest version wins. DuckDB (embedded) and ClickHouse
/// (production) implement it and answer every query with the same figures.
/// </summary>
public interface IHistoryStore : IMinuteSnapshotStore, IHistoryDeadLetters
{
    /// <summary>Creates tables if missing; safe to call more than once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task WriteFactsAsync(HistoryBatch batch, CancellationToken cancellationToken);

    /// <summary>Totals per slot of <paramref name="slot"/> (a whole number of seconds) from range start; empty slots are left out.</summary>
    Task<IReadOnlyList<HistorySlot>> SlotsAsync(HistoryScope scope, HistoryRange range, TimeSpan slot, CancellationToken cancellationToken);

    /// <summary>Totals per group, unsorted; groups with nothing in the range are left out.</summary>
    Task<IReadOnlyList<BreakdownTotals>> BreakdownAsync(HistoryScope scope, HistoryRange range, BreakdownDimension by, CancellationToken cancellationToken);

    /// <summary>The newest orders placed in the range, newest first (ties by order id), each once at its newest version.</summary>
    Task<IReadOnlyList<RecentOrder>> RecentOrdersAsync(HistoryScope scope, HistoryRange range, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes every fact and minute row of the tenant older than <paramref name="cutoffUtc"/> (retention); returns once it is gone.</summary>
    Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every row of one store from every table that has its tenant and store (facts, rollups, minutes, dead
    /// letters): a store deleted with its data. Done when it returns; other stores are untouched.
    /// </summary>
    Task DeleteStoreAsync(string tenantId, string storeId, CancellationToken cancellationToken);

    /// <summary>Rows of one store per table that holds stores' rows (table → count): what <see cref="DeleteStoreAsync"/> removes.</summary>
    Task<IReadOnlyDictionary<string, long>> CountStoreRowsAsync(string tenantId, string storeId, CancellationToken cancellationToken);
}
