using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// The embedded history store: order, line, refund and session facts in the same DuckDB file as the per-minute
/// rows (snapshots.duckdb). It only composes its ports, one class each, sharing one connection
/// (<see cref="DuckDbConnectionGate"/>, serialised, as DuckDB connections are not thread-safe) and one schema
/// (<see cref="DuckDbHistorySchema"/>): minute rows (<see cref="DuckDbMinuteSnapshotStore"/>), facts
/// (<see cref="DuckDbFactWriter"/>), queries (<see cref="DuckDbHistoryQueries"/>), export paging
/// (<see cref="DuckDbFactExport"/>), channel insights (<see cref="DuckDbChannelInsights"/>), shipments
/// (<see cref="DuckDbShipments"/>), customers (<see cref="DuckDbCustomerHistory"/>) and deletion
/// (<see cref="DuckDbHistoryDeletion"/>).
/// </summary>
public sealed class DuckDbHistoryStore : IHistoryStore, IHistoryFactExport, IChannelInsightStore, IShipmentHistory, ICustomerHistory, IDisposable
{
    private readonly DuckDbConnectionGate _db;
    private readonly DuckDbMinuteSnapshotStore _minutes;
    private readonly DuckDbFactWriter _facts;
    private readonly DuckDbHistoryQueries _queries;
    private readonly DuckDbFactExport _export;
    private readonly DuckDbChannelInsights _insights;
    private readonly DuckDbShipments _shipments;
    private readonly DuckDbCustomerHistory _customers;
    private readonly DuckDbHistoryDeletion _deletion;

    /// <param name="connectionString">A DuckDB connection string, e.g. "Data Source=/data/snapshots.duckdb".</param>
    public DuckDbHistoryStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _db = new DuckDbConnectionGate(connectionString, DuckDbHistorySchema.Open);

        // Minute rows keep their own store and table; DuckDB shares one database per file within the process.
        _minutes = new DuckDbMinuteSnapshotStore(connectionString);
        _facts = new DuckDbFactWriter(_db);
        _queries = new DuckDbHistoryQueries(_db);
        _export = new DuckDbFactExport(_db);
        _insights = new DuckDbChannelInsights(_db);
        _shipments = new DuckDbShipments(_db);
        _customers = new DuckDbCustomerHistory(_db);
        _deletion = new DuckDbHistoryDeletion(_db, InitializeAsync);
    }

    /// <summary>False answers every query from the facts alone, as before the rollups: the bench's baseline, never production.</summary>
    public bool ReadRollups { get => _queries.ReadRollups; init => _queries.ReadRollups = value; }

    /// <summary>
    /// True recomputes every hour a write touches from its facts instead of applying the write's delta, as before
    /// incremental upkeep: the bench's baseline, never production.
    /// </summary>
    public bool RecomputeTouchedHours { get => _facts.RecomputeTouchedHours; init => _facts.RecomputeTouchedHours = value; }

    /// <summary>SQL statements the fact writes have run so far (appends not counted).</summary>
    public long FactWriteStatements => _facts.Statements;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _db.RunAsync(_ => true, cancellationToken);

        // The minute store creates its table on first use; an empty read is that use, so retention finds it.
        var epoch = DateTimeOffset.UnixEpoch;
        await _minutes.ReadAsync(new StoreRef(string.Empty, string.Empty), epoch, epoch, cancellationToken);
    }

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

    public void Dispose()
    {
        _db.Dispose();
        _minutes.Dispose();
    }
}
