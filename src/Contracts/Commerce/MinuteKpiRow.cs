namespace SalesDash.Contracts.Commerce;

/// <summary>
/// The absolute KPI totals of one store for one UTC minute, as written to the snapshot store.
/// Rows are whole values, not deltas, so writing the same row twice leaves the same totals.
/// </summary>
public sealed record MinuteKpiRow(
    string TenantId,
    string StoreId,
    DateTimeOffset Minute,
    string Currency,
    decimal GrossRevenue,
    decimal Refunds,
    int Orders,
    int Units,
    int NewCustomerOrders,
    int ReturningCustomerOrders,
    int CancelledOrders);
