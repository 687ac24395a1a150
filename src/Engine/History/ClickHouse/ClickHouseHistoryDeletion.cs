using System.Globalization;
using ClickHouse.Driver;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// Deleting rows: a tenant's facts older than retention, or every row of one store (a store deleted with its data). On ClickHouse (18.16 and later) a DELETE is an
/// <c>ALTER TABLE … DELETE WHERE</c> mutation: the statement returns at once and the server rewrites the affected
/// parts in the background, so until the mutation is done the rows are still read. The store therefore waits until
/// system.mutations says every mutation of the database is done, and only then reports the store deleted.
/// </summary>
internal sealed class ClickHouseHistoryDeletion(ClickHouseHistoryDatabase db)
{
    /// <summary>How long retention waits for ClickHouse's asynchronous DELETE mutations to finish.</summary>
    private static readonly TimeSpan MutationTimeout = TimeSpan.FromMinutes(2);

    // MergeTree tables with both a tenant_id and a store_id column: found in system.columns, so a later table is covered.
    private const string StoreTablesSql = """
        SELECT table FROM system.columns
        WHERE database = currentDatabase() AND name IN ('tenant_id', 'store_id')
          AND table IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree%')
        GROUP BY table HAVING count() = 2 ORDER BY table
        """;

    public async Task DeleteStoreAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        await db.InitializeAsync(cancellationToken);
        foreach (var table in await StoreTablesAsync(cancellationToken))
        {
            await db.Client.ExecuteNonQueryAsync(
                $"ALTER TABLE `{table}` DELETE WHERE tenant_id = {Literal(tenantId)} AND store_id = {Literal(storeId)}",
                cancellationToken: cancellationToken);
        }

        await WaitForMutationsAsync("store deletion", cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, long>> CountStoreRowsAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        await db.InitializeAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await StoreTablesAsync(cancellationToken))
        {
            // FINAL is not used: a deleted row must be gone from every part, not merely replaced by a newer version.
            var rows = await db.QueryAsync($"SELECT count() FROM `{table}` WHERE tenant_id = {Literal(tenantId)} AND store_id = {Literal(storeId)}", cancellationToken);
            counts[table] = Long(rows[0][0]);
        }

        return counts;
    }

    private async Task<IReadOnlyList<string>> StoreTablesAsync(CancellationToken cancellationToken) =>
        [.. (await db.QueryAsync(StoreTablesSql, cancellationToken)).Select(f => f[0])];

    private async Task WaitForMutationsAsync(string what, CancellationToken cancellationToken)
    {
        var deadline = db.Time.GetUtcNow() + MutationTimeout;
        while (true)
        {
            var pending = await db.QueryAsync(
                $"SELECT count() FROM system.mutations WHERE database = {Literal(db.Database)} AND is_done = 0", cancellationToken);
            if (Long(pending[0][0]) == 0)
            {
                return;
            }

            if (db.Time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"ClickHouse {what} mutations in '{db.Database}' were still running after {MutationTimeout}.");
            }

            // Polling the server's own record of the mutation, not guessing a duration: the loop ends when it says done.
            await Task.Delay(TimeSpan.FromMilliseconds(100), db.Time, cancellationToken);
        }
    }

    public async Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        await db.InitializeAsync(cancellationToken);
        foreach (var (table, column) in HistorySql.TimedTables)
        {
            await db.Client.ExecuteNonQueryAsync(
                $"ALTER TABLE {table} DELETE WHERE tenant_id = {Literal(tenantId)} AND {column} < {Instant(cutoffUtc)}",
                cancellationToken: cancellationToken);
        }

        // A daily product row that straddles the cutoff goes too; it is recomputed below from the hourly rows kept.
        await db.Client.ExecuteNonQueryAsync(
            $"ALTER TABLE history_daily_products DELETE WHERE tenant_id = {Literal(tenantId)} AND day < {Instant(cutoffUtc)}",
            cancellationToken: cancellationToken);

        // Mutations run in the background; retention is done when they are, so callers can rely on it.
        var deadline = db.Time.GetUtcNow() + MutationTimeout;
        while (true)
        {
            var pending = await db.QueryAsync(
                $"SELECT count() FROM system.mutations WHERE database = {Literal(db.Database)} AND is_done = 0", cancellationToken);
            if (Long(pending[0][0]) == 0)
            {
                break;
            }

            if (db.Time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"ClickHouse retention mutations in '{db.Database}' were still running after {MutationTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), db.Time, cancellationToken);
        }

        // The rollup hour holding the cutoff went with the older rows; what is left of it is recomputed.
        if (!HistoryRollups.IsWholeHour(cutoffUtc))
        {
            var hour = HistoryRollups.HourOf(cutoffUtc);
            var within = $"tenant_id = {Literal(tenantId)} AND {{0}} >= toDateTime({hour}) AND {{0}} < toDateTime({hour + HistoryRollups.HourSeconds})";
            var stores = await db.QueryAsync($"""
                SELECT DISTINCT store_id FROM (
                    SELECT store_id FROM history_orders WHERE {string.Format(CultureInfo.InvariantCulture, within, "placed_at")}
                    UNION ALL SELECT store_id FROM history_refunds WHERE {string.Format(CultureInfo.InvariantCulture, within, "occurred_at")}
                    UNION ALL SELECT store_id FROM history_sessions WHERE {string.Format(CultureInfo.InvariantCulture, within, "started_at")})
                """, cancellationToken);
            await db.Rollups.RecomputeHoursAsync(stores.Select(f => (tenantId, f[0], hour)), cancellationToken);
        }

        // The UTC day holding the cutoff lost its daily rows with the older ones; what is left of it is recomputed.
        var cutoff = cutoffUtc.ToUnixTimeSeconds();
        if (cutoff % ClickHouseRollups.DaySeconds != 0)
        {
            var day = cutoff - (((cutoff % ClickHouseRollups.DaySeconds) + ClickHouseRollups.DaySeconds) % ClickHouseRollups.DaySeconds);
            var stores = await db.QueryAsync($"""
                SELECT DISTINCT store_id FROM history_hourly_products
                WHERE tenant_id = {Literal(tenantId)} AND hour >= toDateTime({day}) AND hour < toDateTime({day + ClickHouseRollups.DaySeconds})
                """, cancellationToken);
            await db.Rollups.RecomputeDaysAsync(stores.Select(f => (tenantId, f[0], day)), cancellationToken);
        }
    }
}
