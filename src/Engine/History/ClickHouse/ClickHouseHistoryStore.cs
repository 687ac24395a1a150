using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// The production history store on ClickHouse (18.16 and later) through ClickHouse.Driver over HTTP. Fact tables are
/// ReplacingMergeTree, partitioned by month: writes only ever insert, and fact queries read with FINAL, so duplicates
/// collapse at read time — the newest version of an order and of each of its lines wins, lines an edit removed are
/// dropped by matching the order's current version, a refund or session counts once — and the answer is right before
/// and after background merges; replaying a batch changes nothing. FINAL is exact here because every version of a
/// row shares its partition and the filtered columns (tenant, store, and the time an order was placed or a refund or
/// session happened, which do not change between versions). Whole-hour dashboards read the rollups instead
/// (<see cref="ClickHouseRollups"/>), without FINAL.
/// </summary>
/// <remarks>
/// It only composes its ports, one class each, over one connection and schema (<see cref="ClickHouseHistoryDatabase"/>):
/// minute rows, facts, queries, export paging, channel insights, shipments, customers and deletion.
/// </remarks>
public sealed class ClickHouseHistoryStore : IHistoryStore, IHistoryFactExport, IChannelInsightStore, IShipmentHistory, ICustomerHistory, IDisposable
{
    private readonly ClickHouseHistoryDatabase _db;
    private readonly ClickHouseMinuteRows _minutes;
    private readonly ClickHouseFactWriter _facts;
    private readonly ClickHouseHistoryQueries _queries;
    private readonly ClickHouseFactExport _export;
    private readonly ClickHouseChannelInsights _insights;
    private readonly ClickHouseShipments _shipments;
    private readonly ClickHouseCustomerHistory _customers;
    private readonly ClickHouseHistoryDeletion _deletion;

    /// <param name="connectionString">e.g. "Host=127.0.0.1;Port=8123;Database=salesdash"; the database is created if missing.</param>
    /// <param name="time">Stamps minute rows so the latest write of a minute wins.</param>
    public ClickHouseHistoryStore(string connectionString, TimeProvider? time = null)
    {
        _db = new ClickHouseHistoryDatabase(connectionString, time);
        _minutes = new ClickHouseMinuteRows(_db);
        _facts = new ClickHouseFactWriter(_db);
        _queries = new ClickHouseHistoryQueries(_db);
        _export = new ClickHouseFactExport(_db);
        _insights = new ClickHouseChannelInsights(_db);
        _shipments = new ClickHouseShipments(_db);
        _customers = new ClickHouseCustomerHistory(_db);
        _deletion = new ClickHouseHistoryDeletion(_db);
    }

    /// <summary>False answers every query from the facts alone, as before the rollups: the bench's baseline, never production.</summary>
    public bool ReadRollups { get => _queries.ReadRollups; init => _queries.ReadRollups = value; }

    /// <summary>Parses an http(s) URL such as the test service prints ("http://127.0.0.1:8123") into a connection string.</summary>
    public static string ConnectionStringFor(Uri url, string database)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return $"Host={url.Host};Port={url.Port};Protocol={url.Scheme};Database={database}";
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _db.InitializeAsync(cancellationToken);

    public Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken) => _minutes.WriteAsync(rows, cancellationToken);

    public Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        _minutes.ReadAsync(store, fromUtc, toUtc, cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => _facts.IsReachableAsync(cancellationToken);

    public Task WriteFactsAsync(HistoryBatch batch, CancellationToken cancellationToken) => _facts.WriteFactsAsync(batch, cancellationToken);

    public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken) =>
        _facts.WriteDeadLettersAsync(letters, cancellationToken);

    public Task<IReadOnlyList<HistoryDeadLetter>> DeadLettersAsync(string tenantId, int limit, CancellationToken cancellationToken) =>
        _facts.DeadLettersAsync(tenantId, limit, cancellationToken);

    public Task<IReadOnlyList<HistorySlot>> SlotsAsync(HistoryScope scope, HistoryRange range, TimeSpan slot, CancellationToken cancellationToken) =>
        _queries.SlotsAsync(scope, range, slot, cancellationToken);

    public Task<IReadOnlyList<BreakdownTotals>> BreakdownAsync(HistoryScope scope, HistoryRange range, BreakdownDimension by, CancellationToken cancellationToken) =>
        _queries.BreakdownAsync(scope, range, by, cancellationToken);

    public Task<IReadOnlyList<RecentOrder>> RecentOrdersAsync(HistoryScope scope, HistoryRange range, int limit, CancellationToken cancellationToken) =>
        _queries.RecentOrdersAsync(scope, range, limit, cancellationToken);

    public Task<IReadOnlyList<OrderFact>> OrdersAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken) =>
        _export.OrdersAfterAsync(store, after, pageSize, cancellationToken);

    public Task<IReadOnlyList<RefundFact>> RefundsAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken) =>
        _export.RefundsAfterAsync(store, after, pageSize, cancellationToken);

    public Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken) =>
        _insights.ReadAsync(tenantId, range, cancellationToken);

    public Task<IReadOnlyList<ParcelState>> ParcelsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken) =>
        _shipments.ParcelsAsync(scope, range, cancellationToken);

    public Task<CustomerCounts> CustomerCountsAsync(StoreRef store, HistoryRange period, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        _customers.CustomerCountsAsync(store, period, asOf, cancellationToken);

    public Task<IReadOnlyList<CohortActivity>> CohortActivityAsync(StoreRef store, HistoryRange firstOrders, CancellationToken cancellationToken) =>
        _customers.CohortActivityAsync(store, firstOrders, cancellationToken);

    public Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken) =>
        _deletion.DeleteOlderThanAsync(tenantId, cutoffUtc, cancellationToken);

    public Task DeleteStoreAsync(string tenantId, string storeId, CancellationToken cancellationToken) =>
        _deletion.DeleteStoreAsync(tenantId, storeId, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountStoreRowsAsync(string tenantId, string storeId, CancellationToken cancellationToken) =>
        _deletion.CountStoreRowsAsync(tenantId, storeId, cancellationToken);

    public void Dispose() => _db.Dispose();
}
