using SalesDash.Engine.History;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// Deleting one store's rows (a store deleted with its data). On ClickHouse (18.16 and later) a DELETE is an
/// <c>ALTER TABLE … DELETE WHERE</c> mutation: the statement returns at once and the server rewrites the affected
/// parts in the background, so until the mutation is done the rows are still read. The store therefore waits until
/// system.mutations says every mutation of the database is done, and only then reports the store deleted.
/// </summary>
public sealed partial class ClickHouseHistoryStore
{
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
        await InitializeAsync(cancellationToken);
        foreach (var table in await StoreTablesAsync(cancellationToken))
        {
            await _client.ExecuteNonQueryAsync(
                $"ALTER TABLE `{table}` DELETE WHERE tenant_id = {Literal(tenantId)} AND store_id = {Literal(storeId)}",
                cancellationToken: cancellationToken);
        }

        await WaitForMutationsAsync("store deletion", cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, long>> CountStoreRowsAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        await InitializeAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await StoreTablesAsync(cancellationToken))
        {
            // FINAL is not used: a deleted row must be gone from every part, not merely replaced by a newer version.
            var rows = await QueryAsync($"SELECT count() FROM `{table}` WHERE tenant_id = {Literal(tenantId)} AND store_id = {Literal(storeId)}", cancellationToken);
            counts[table] = Long(rows[0][0]);
        }

        return counts;
    }

    private async Task<IReadOnlyList<string>> StoreTablesAsync(CancellationToken cancellationToken) =>
        [.. (await QueryAsync(StoreTablesSql, cancellationToken)).Select(f => f[0])];

    private async Task WaitForMutationsAsync(string what, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + MutationTimeout;
        while (true)
        {
            var pending = await QueryAsync(
                $"SELECT count() FROM system.mutations WHERE database = {Literal(_database)} AND is_done = 0", cancellationToken);
            if (Long(pending[0][0]) == 0)
            {
                return;
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"ClickHouse {what} mutations in '{_database}' were still running after {MutationTimeout}.");
            }

            // Polling the server's own record of the mutation, not guessing a duration: the loop ends when it says done.
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
    }
}
