using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Outbound;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Warehouse;

/// <summary>Warehouse sync settings, bound from "Warehouse".</summary>
public sealed class WarehouseOptions
{
    public const string Section = "Warehouse";

    /// <summary>How often the cluster job looks for connections that are due.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows read from history and written to the warehouse per page; the watermark moves after each page.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// How far before its watermark each run reads again, so an order that changed after it was copied (cancelled, edited)
    /// or arrived late is copied again; upserts make the overlap harmless. Older changes need a full resync.
    /// </summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Whether this node runs the scheduled syncs (tests run them on demand).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>What one run copied.</summary>
public sealed record WarehouseSyncResult(long Orders, long Refunds)
{
    public long Rows => Orders + Refunds;
}

/// <summary>
/// Copies an organisation's orders (with lines) and refunds to its warehouse, store by store and page by page from
/// each table's watermark. A page is written (an idempotent upsert) before the watermark passes it, so a run that
/// stops anywhere leaves at most one page to be written again by the next: the warehouse ends with exactly the source rows.
/// </summary>
public sealed class WarehouseSync(
    IWarehouseConnectionStore connections, IWarehouseTargetFactory targets, IStoreDirectory stores, IHistoryStore history, IPlanService plans,
    IOptions<WarehouseOptions> options, TimeProvider time)
{
    public const string OrdersTable = "orders";
    public const string RefundsTable = "refunds";

    /// <summary>Runs one sync of the organisation's connection and records its outcome; throws what stopped it after recording it.</summary>
    public async Task<WarehouseSyncResult> RunAsync(string tenantId, CancellationToken cancellationToken)
    {
        var connection = await connections.GetAsync(tenantId, cancellationToken)
            ?? throw new WarehouseException($"'{tenantId}' has no warehouse connection.");
        try
        {
            if (PlanLimitProblems.Feature(await plans.GetLimitsAsync(tenantId, cancellationToken), PlanFeature.DataWarehouse) is not null)
            {
                // A connection kept after a downgrade stays, but nothing is copied until the plan includes it again.
                throw new WarehouseException(PlanLimitProblems.FeatureDetail(await plans.GetLimitsAsync(tenantId, cancellationToken), PlanFeature.DataWarehouse));
            }

            var result = await CopyAsync(connection, cancellationToken);
            await connections.RecordRunAsync(tenantId, new WarehouseRunOutcome(time.GetUtcNow(), true, result.Rows, null), CancellationToken.None);
            return result;
        }
        catch (Exception e) when (e is WarehouseException or OutboundRefusedException or Npgsql.NpgsqlException or HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await connections.RecordRunAsync(tenantId, new WarehouseRunOutcome(time.GetUtcNow(), false, 0, e.Message), CancellationToken.None);
            throw;
        }
    }

    private async Task<WarehouseSyncResult> CopyAsync(WarehouseConnection connection, CancellationToken cancellationToken)
    {
        if (history is not IHistoryFactExport facts)
        {
            throw new WarehouseException("This history store cannot be read back page by page.");
        }

        var pageSize = options.Value.PageSize;
        long orders = 0, refunds = 0;
        await using var target = await targets.OpenAsync(connection.Settings, cancellationToken);
        await target.EnsureSchemaAsync(cancellationToken);
        foreach (var profile in await stores.ListAsync(connection.TenantId, cancellationToken))
        {
            var store = new WarehouseStore(profile.Store.TenantId, profile.Store.StoreId, profile.Currency, Zone(profile.TimeZone));
            var cursor = await StartAsync(profile.Store, OrdersTable, cancellationToken);
            while (true)
            {
                var page = await facts.OrdersAfterAsync(profile.Store, cursor, pageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                await target.WriteOrdersAsync(store, page, cancellationToken);
                orders += page.Count;
                cursor = new FactCursor(page[^1].PlacedAt, page[^1].OrderId);
                await connections.AdvanceWatermarkAsync(store.TenantId, store.StoreId, OrdersTable, new WarehouseWatermark(cursor.At, cursor.Id), cancellationToken);
                if (page.Count < pageSize)
                {
                    break;
                }
            }

            cursor = await StartAsync(profile.Store, RefundsTable, cancellationToken);
            while (true)
            {
                var page = await facts.RefundsAfterAsync(profile.Store, cursor, pageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                await target.WriteRefundsAsync(store, page, cancellationToken);
                refunds += page.Count;
                cursor = new FactCursor(page[^1].OccurredAt, page[^1].RefundId);
                await connections.AdvanceWatermarkAsync(store.TenantId, store.StoreId, RefundsTable, new WarehouseWatermark(cursor.At, cursor.Id), cancellationToken);
                if (page.Count < pageSize)
                {
                    break;
                }
            }
        }

        return new WarehouseSyncResult(orders, refunds);
    }

    /// <summary>Where a table's run starts: nothing copied yet, everything; else the look-back before its watermark.</summary>
    private async Task<FactCursor?> StartAsync(StoreRef store, string table, CancellationToken cancellationToken) =>
        await connections.GetWatermarkAsync(store.TenantId, store.StoreId, table, cancellationToken) is { } mark
            ? new FactCursor(mark.At - options.Value.LookBack, string.Empty)
            : null;

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}

/// <summary>The cluster job that runs each connection when its interval has passed since its last run; one node runs it.</summary>
public sealed partial class WarehouseSyncJob(IWarehouseConnectionStore connections, WarehouseSync sync, IOptions<WarehouseOptions> options, TimeProvider time,
    ILogger<WarehouseSyncJob> log) : IClusterJob
{
    public string Name => "warehouse-sync";

    public TimeSpan Interval => options.Value.CheckInterval;

    public async Task RunAsync(CancellationToken cancellationToken) => await RunDueAsync(cancellationToken);

    /// <summary>Runs every connection that is due; answers the organisations it ran.</summary>
    public async Task<IReadOnlyList<string>> RunDueAsync(CancellationToken cancellationToken)
    {
        var ran = new List<string>();
        var now = time.GetUtcNow();
        foreach (var connection in await connections.ListAsync(cancellationToken))
        {
            if (connection.LastRunAt is { } last && now - last < connection.Interval)
            {
                continue;
            }

            ran.Add(connection.TenantId);
            try
            {
                await sync.RunAsync(connection.TenantId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Recorded on the connection for its owner; one merchant's unreachable warehouse does not hold up the others.
                LogFailed(log, e, connection.TenantId);
            }
        }

        return ran;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warehouse sync of {Tenant} failed; it runs again at its next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception, string tenant);
}
