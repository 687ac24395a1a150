using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Options;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Warehouse;

/// <summary>
/// The warehouse tables as Parquet files, written by DuckDB: an organisation's orders, order lines or refunds, with
/// the same columns the warehouse sync writes, for a merchant who loads files rather than opening a connection.
/// </summary>
public sealed class WarehouseParquetExport(IStoreDirectory stores, IHistoryStore history, IOptions<WarehouseOptions> options)
{
    /// <summary>The tables a file can be made of.</summary>
    public static readonly IReadOnlyList<string> Tables = ["orders", "order_lines", "refunds"];

    private static readonly Dictionary<string, string> Ddl = new(StringComparer.Ordinal)
    {
        ["orders"] = "CREATE TABLE orders (tenant_id VARCHAR, store_id VARCHAR, order_id VARCHAR, channel VARCHAR, placed_at TIMESTAMPTZ, local_date DATE, "
            + "currency VARCHAR, total DECIMAL(18, 2), units INTEGER, returning_customer BOOLEAN, cancelled BOOLEAN, source VARCHAR, country VARCHAR, version BIGINT)",
        ["order_lines"] = "CREATE TABLE order_lines (tenant_id VARCHAR, store_id VARCHAR, order_id VARCHAR, line_no INTEGER, sku VARCHAR, title VARCHAR, "
            + "quantity INTEGER, unit_price DECIMAL(18, 4), line_revenue DECIMAL(18, 2))",
        ["refunds"] = "CREATE TABLE refunds (tenant_id VARCHAR, store_id VARCHAR, refund_id VARCHAR, order_id VARCHAR, channel VARCHAR, occurred_at TIMESTAMPTZ, "
            + "local_date DATE, currency VARCHAR, amount DECIMAL(18, 2), units INTEGER)",
    };

    /// <summary>Writes <paramref name="table"/> of the organisation to a Parquet file under <paramref name="directory"/> and answers its path.</summary>
    public async Task<string> WriteAsync(string tenantId, string table, string directory, CancellationToken cancellationToken)
    {
        if (!Ddl.TryGetValue(table, out var ddl))
        {
            throw new ArgumentException($"Unknown table '{table}'.", nameof(table));
        }

        if (history is not IHistoryFactExport facts)
        {
            throw new WarehouseException("This history store cannot be read back page by page.");
        }

        var file = Path.Combine(directory, $"{table}.parquet");
        await using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync(cancellationToken);
        await ExecuteAsync(duck, "SET TimeZone = 'UTC'", cancellationToken);
        await ExecuteAsync(duck, ddl, cancellationToken);
        var pageSize = options.Value.PageSize;
        foreach (var profile in await stores.ListAsync(tenantId, cancellationToken))
        {
            var store = new WarehouseStore(profile.Store.TenantId, profile.Store.StoreId, profile.Currency,
                TimeZoneInfo.TryFindSystemTimeZoneById(profile.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc);
            await using var transaction = await duck.BeginTransactionAsync(cancellationToken);
            if (table == "refunds")
            {
                FactCursor? cursor = null;
                while (await facts.RefundsAfterAsync(profile.Store, cursor, pageSize, cancellationToken) is { Count: > 0 } page)
                {
                    foreach (var r in page)
                    {
                        await InsertAsync(duck, "INSERT INTO refunds VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS DATE), $8, CAST($9 AS DECIMAL(18, 2)), $10)", cancellationToken,
                            r.TenantId, r.StoreId, r.RefundId, r.OrderId, r.Channel.ToString(), r.OccurredAt.UtcDateTime, Day(store.LocalDate(r.OccurredAt)),
                            store.Currency, Money(r.Amount), r.Units);
                    }

                    cursor = new FactCursor(page[^1].OccurredAt, page[^1].RefundId);
                }
            }
            else
            {
                FactCursor? cursor = null;
                while (await facts.OrdersAfterAsync(profile.Store, cursor, pageSize, cancellationToken) is { Count: > 0 } page)
                {
                    foreach (var o in page)
                    {
                        if (table == "orders")
                        {
                            await InsertAsync(duck, "INSERT INTO orders VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), $7, CAST($8 AS DECIMAL(18, 2)), $9, $10, $11, $12, $13, $14)",
                                cancellationToken, o.TenantId, o.StoreId, o.OrderId, o.Channel.ToString(), o.PlacedAt.UtcDateTime, Day(store.LocalDate(o.PlacedAt)),
                                o.Currency, Money(o.Total), o.Units, o.ReturningCustomer, o.Cancelled, o.Source, o.Country, o.Version);
                            continue;
                        }

                        foreach (var l in o.Lines)
                        {
                            await InsertAsync(duck, "INSERT INTO order_lines VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DECIMAL(18, 4)), CAST($9 AS DECIMAL(18, 2)))",
                                cancellationToken, o.TenantId, o.StoreId, o.OrderId, l.LineNo, l.Sku, l.Title, l.Quantity, Money(l.UnitPrice), Money(l.LineRevenue));
                        }
                    }

                    cursor = new FactCursor(page[^1].PlacedAt, page[^1].OrderId);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // The path is ours (a fresh temporary folder), never the caller's text.
        await ExecuteAsync(duck, $"COPY {table} TO '{file.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT PARQUET)", cancellationToken);
        return file;
    }

    /// <summary>Decimals travel as invariant text and are cast in SQL, so no digit goes through a double.</summary>
    private static string Money(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(DuckDBConnection duck, string sql, CancellationToken cancellationToken)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertAsync(DuckDBConnection duck, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
