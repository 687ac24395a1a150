using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>Where a page of facts ends: the time and id of its last fact. The next page starts strictly after it.</summary>
public sealed record FactCursor(DateTimeOffset At, string Id);

/// <summary>
/// Reads a store's facts back in pages, oldest first, for a full data export: keyset pages keep memory flat however
/// much history a store has, and each page is one short query, so writers are never held up for the whole export.
/// Both history stores implement it and answer with each order at its newest version.
/// </summary>
public interface IHistoryFactExport
{
    /// <summary>Up to <paramref name="pageSize"/> orders (with their lines) placed after <paramref name="after"/>, by (placed at, order id).</summary>
    Task<IReadOnlyList<OrderFact>> OrdersAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="pageSize"/> refunds (with their lines) after <paramref name="after"/>, by (occurred at, refund id).</summary>
    Task<IReadOnlyList<RefundFact>> RefundsAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken);
}
