using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History.Snapshots;

/// <summary>
/// Where per-minute KPI rows go for history. Rows are absolute per (tenant, store, minute), so writes are
/// upserts and replaying the same rows leaves the same totals. DuckDB is the embedded default;
/// ClickHouse is the production option.
/// </summary>
public interface IMinuteSnapshotStore
{
    Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken);

    /// <summary>Rows of one store with Minute in [fromUtc, toUtc), ordered by minute.</summary>
    Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}
