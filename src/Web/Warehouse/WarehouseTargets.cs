using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesDash.Engine.History;
using SalesDash.Web.Outbound;

namespace SalesDash.Web.Warehouse;

/// <summary>A store's figures as the warehouse receives them: facts plus what the store's own settings add (its day, its currency).</summary>
public sealed record WarehouseStore(string TenantId, string StoreId, string Currency, TimeZoneInfo Zone)
{
    public DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
}

/// <summary>
/// A merchant's warehouse: tables made if missing, rows upserted by their keys, so writing a page twice leaves what
/// writing it once did (a run that crashed mid-page is simply run again).
/// </summary>
public interface IWarehouseTarget : IAsyncDisposable
{
    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Upserts the orders and replaces their lines.</summary>
    Task WriteOrdersAsync(WarehouseStore store, IReadOnlyList<OrderFact> orders, CancellationToken cancellationToken);

    Task WriteRefundsAsync(WarehouseStore store, IReadOnlyList<RefundFact> refunds, CancellationToken cancellationToken);
}

/// <summary>Opens a connection to a merchant's warehouse under the outbound policy.</summary>
public interface IWarehouseTargetFactory
{
    Task<IWarehouseTarget> OpenAsync(WarehouseSettings settings, CancellationToken cancellationToken);
}

/// <summary>
/// PostgreSQL through Npgsql, ClickHouse over its HTTP interface. The host is resolved and every address checked by
/// the outbound policy first, and the connection goes to a checked address, so a name cannot lead the server to its
/// own network (PostgreSQL connects to the checked IP; ClickHouse's client checks again at connect time).
/// </summary>
public sealed class WarehouseTargetFactory(OutboundAddressPolicy policy, IOutboundDnsResolver resolver, IOptions<OutboundOptions> outbound) : IWarehouseTargetFactory
{
    public async Task<IWarehouseTarget> OpenAsync(WarehouseSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var addresses = IPAddress.TryParse(settings.Host, out var literal) ? [literal] : await resolver.ResolveAsync(settings.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new OutboundRefusedException($"{settings.Host} does not resolve.");
        }

        foreach (var address in addresses)
        {
            if (policy.WhyRefused(address) is { } why)
            {
                throw new OutboundRefusedException($"The warehouse host {settings.Host} is refused: {why}.");
            }
        }

        return settings.Kind switch
        {
            WarehouseKind.PostgreSql => new PostgresWarehouseTarget(settings, addresses[0]),
            _ => new ClickHouseWarehouseTarget(settings, policy, resolver, outbound.Value),
        };
    }
}

/// <summary>The merchant's PostgreSQL: tables prefixed salesdash_, upserts with ON CONFLICT, daily KPIs as a view over them.</summary>
public sealed class PostgresWarehouseTarget : IWarehouseTarget
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS salesdash_orders (
            tenant_id text NOT NULL, store_id text NOT NULL, order_id text NOT NULL, channel text NOT NULL, placed_at timestamptz NOT NULL,
            local_date date NOT NULL, currency text NOT NULL, total numeric NOT NULL, units integer NOT NULL, returning_customer boolean NOT NULL,
            cancelled boolean NOT NULL, source text NOT NULL, country text NOT NULL, version bigint NOT NULL,
            PRIMARY KEY (tenant_id, store_id, order_id));
        CREATE TABLE IF NOT EXISTS salesdash_order_lines (
            tenant_id text NOT NULL, store_id text NOT NULL, order_id text NOT NULL, line_no integer NOT NULL, sku text NOT NULL, title text NOT NULL,
            quantity integer NOT NULL, unit_price numeric NOT NULL, line_revenue numeric NOT NULL,
            PRIMARY KEY (tenant_id, store_id, order_id, line_no));
        CREATE TABLE IF NOT EXISTS salesdash_refunds (
            tenant_id text NOT NULL, store_id text NOT NULL, refund_id text NOT NULL, order_id text NOT NULL, channel text NOT NULL,
            occurred_at timestamptz NOT NULL, local_date date NOT NULL, currency text NOT NULL, amount numeric NOT NULL, units integer NOT NULL,
            PRIMARY KEY (tenant_id, store_id, refund_id));
        CREATE OR REPLACE VIEW salesdash_daily_kpis AS
            SELECT tenant_id, store_id, day, currency, sum(o) AS orders, sum(g) AS gross_revenue, sum(u) AS units,
                   sum(r) AS refunds, sum(g) - sum(r) AS net_revenue
            FROM (SELECT tenant_id, store_id, local_date AS day, currency, 1 AS o, total AS g, units AS u, 0::numeric AS r
                  FROM salesdash_orders WHERE NOT cancelled
                  UNION ALL
                  SELECT tenant_id, store_id, local_date, currency, 0, 0::numeric, 0, amount FROM salesdash_refunds) f
            GROUP BY tenant_id, store_id, day, currency;
        """;

    private readonly NpgsqlDataSource _source;

    public PostgresWarehouseTarget(WarehouseSettings settings, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = address.ToString(),
            Port = settings.Port,
            Database = settings.Database,
            Username = settings.Username,
            Password = settings.Password,
            SslMode = settings.Tls ? SslMode.Require : SslMode.Prefer,
            Timeout = 15,
            CommandTimeout = 120,
            Pooling = false,
        };
        _source = NpgsqlDataSource.Create(builder);
    }

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task WriteOrdersAsync(WarehouseStore store, IReadOnlyList<OrderFact> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(orders);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var o in orders)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO salesdash_orders (tenant_id, store_id, order_id, channel, placed_at, local_date, currency, total, units, returning_customer, cancelled, source, country, version)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (tenant_id, store_id, order_id) DO UPDATE SET channel = excluded.channel, placed_at = excluded.placed_at,
                    local_date = excluded.local_date, currency = excluded.currency, total = excluded.total, units = excluded.units,
                    returning_customer = excluded.returning_customer, cancelled = excluded.cancelled, source = excluded.source,
                    country = excluded.country, version = excluded.version
                WHERE salesdash_orders.version <= excluded.version
                """, o.TenantId, o.StoreId, o.OrderId, o.Channel.ToString(), o.PlacedAt.UtcDateTime, store.LocalDate(o.PlacedAt), o.Currency, o.Total, o.Units,
                o.ReturningCustomer, o.Cancelled, o.Source, o.Country, o.Version));

            // A newer version may have fewer lines: the order's lines are replaced, not merged.
            batch.BatchCommands.Add(Command("DELETE FROM salesdash_order_lines WHERE tenant_id = $1 AND store_id = $2 AND order_id = $3", o.TenantId, o.StoreId, o.OrderId));
            foreach (var line in o.Lines)
            {
                batch.BatchCommands.Add(Command("""
                    INSERT INTO salesdash_order_lines (tenant_id, store_id, order_id, line_no, sku, title, quantity, unit_price, line_revenue)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    """, o.TenantId, o.StoreId, o.OrderId, line.LineNo, line.Sku, line.Title, line.Quantity, line.UnitPrice, line.LineRevenue));
            }
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task WriteRefundsAsync(WarehouseStore store, IReadOnlyList<RefundFact> refunds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(refunds);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var r in refunds)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO salesdash_refunds (tenant_id, store_id, refund_id, order_id, channel, occurred_at, local_date, currency, amount, units)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (tenant_id, store_id, refund_id) DO UPDATE SET order_id = excluded.order_id, channel = excluded.channel,
                    occurred_at = excluded.occurred_at, local_date = excluded.local_date, currency = excluded.currency, amount = excluded.amount, units = excluded.units
                """, r.TenantId, r.StoreId, r.RefundId, r.OrderId, r.Channel.ToString(), r.OccurredAt.UtcDateTime, store.LocalDate(r.OccurredAt), store.Currency,
                r.Amount, r.Units));
        }

        if (batch.BatchCommands.Count > 0)
        {
            // One implicit transaction: a batch is all or nothing.
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}

/// <summary>
/// The merchant's ClickHouse over HTTP: ReplacingMergeTree tables keyed like the PostgreSQL ones (the highest order
/// version wins), so a page written twice is one row each once merged; read them with FINAL, as the daily KPI view does.
/// </summary>
public sealed class ClickHouseWarehouseTarget : IWarehouseTarget
{
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS salesdash_orders (tenant_id String, store_id String, order_id String, channel String, placed_at DateTime('UTC'),
            local_date Date, currency String, total Decimal(18, 2), units Int32, returning_customer UInt8, cancelled UInt8, source String, country String,
            version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (tenant_id, store_id, order_id)
        """,
        """
        CREATE TABLE IF NOT EXISTS salesdash_order_lines (tenant_id String, store_id String, order_id String, line_no Int32, sku String, title String,
            quantity Int32, unit_price Decimal(18, 4), line_revenue Decimal(18, 2), version UInt64)
            ENGINE = ReplacingMergeTree(version) ORDER BY (tenant_id, store_id, order_id, line_no)
        """,
        """
        CREATE TABLE IF NOT EXISTS salesdash_refunds (tenant_id String, store_id String, refund_id String, order_id String, channel String,
            occurred_at DateTime('UTC'), local_date Date, currency String, amount Decimal(18, 2), units Int32)
            ENGINE = ReplacingMergeTree ORDER BY (tenant_id, store_id, refund_id)
        """,
        """
        CREATE VIEW IF NOT EXISTS salesdash_daily_kpis AS
            SELECT tenant_id, store_id, day, currency, sum(o) AS orders, sum(g) AS gross_revenue, sum(u) AS units,
                   sum(r) AS refunds, sum(g) - sum(r) AS net_revenue
            FROM (SELECT tenant_id, store_id, local_date AS day, currency, toUInt64(1) AS o, total AS g, toInt64(units) AS u,
                         toDecimal64(0, 2) AS r FROM salesdash_orders FINAL WHERE cancelled = 0
                  UNION ALL
                  SELECT tenant_id, store_id, local_date AS day, currency, toUInt64(0) AS o, toDecimal64(0, 2) AS g, toInt64(0) AS u,
                         amount AS r FROM salesdash_refunds FINAL)
            GROUP BY tenant_id, store_id, day, currency
        """,
    ];

    private readonly HttpClient _http;
    private readonly string _database;

    public ClickHouseWarehouseTarget(WarehouseSettings settings, OutboundAddressPolicy policy, IOutboundDnsResolver resolver, OutboundOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _http = new HttpClient(OutboundHttp.CreateHandler(policy, resolver, options))
        {
            BaseAddress = new UriBuilder(settings.Tls ? "https" : "http", settings.Host, settings.Port).Uri,
            Timeout = TimeSpan.FromMinutes(2),
        };
        // Basic authentication and the database as a parameter: what every ClickHouse HTTP interface understands, old ones too.
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}")));
        _database = settings.Database;
    }

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        foreach (var ddl in Schema)
        {
            await PostAsync(string.Empty, ddl, cancellationToken);
        }
    }

    public async Task WriteOrdersAsync(WarehouseStore store, IReadOnlyList<OrderFact> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(orders);
        if (orders.Count == 0)
        {
            return;
        }

        // Lines first: an order row present means its lines are too, even if the run stops between the two inserts.
        await InsertAsync("salesdash_order_lines", orders.SelectMany(o => o.Lines.Select(l => (object)new
        {
            tenant_id = o.TenantId, store_id = o.StoreId, order_id = o.OrderId, line_no = l.LineNo, sku = l.Sku, title = l.Title,
            quantity = l.Quantity, unit_price = l.UnitPrice, line_revenue = l.LineRevenue, version = o.Version,
        })), cancellationToken);
        await InsertAsync("salesdash_orders", orders.Select(o => (object)new
        {
            tenant_id = o.TenantId, store_id = o.StoreId, order_id = o.OrderId, channel = o.Channel.ToString(), placed_at = Instant(o.PlacedAt),
            local_date = Day(store.LocalDate(o.PlacedAt)), currency = o.Currency, total = o.Total, units = o.Units,
            returning_customer = o.ReturningCustomer ? 1 : 0, cancelled = o.Cancelled ? 1 : 0, source = o.Source, country = o.Country, version = o.Version,
        }), cancellationToken);
    }

    public async Task WriteRefundsAsync(WarehouseStore store, IReadOnlyList<RefundFact> refunds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(refunds);
        await InsertAsync("salesdash_refunds", refunds.Select(r => (object)new
        {
            tenant_id = r.TenantId, store_id = r.StoreId, refund_id = r.RefundId, order_id = r.OrderId, channel = r.Channel.ToString(),
            occurred_at = Instant(r.OccurredAt), local_date = Day(store.LocalDate(r.OccurredAt)), currency = store.Currency, amount = r.Amount, units = r.Units,
        }), cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>DateTime('UTC') keeps seconds; history's times are whole seconds from the platforms anyway.</summary>
    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task InsertAsync(string table, IEnumerable<object> rows, CancellationToken cancellationToken)
    {
        var body = new StringBuilder();
        foreach (var row in rows)
        {
            body.Append(JsonSerializer.Serialize(row)).Append('\n');
        }

        if (body.Length > 0)
        {
            await PostAsync($"INSERT INTO {table} FORMAT JSONEachRow", body.ToString(), cancellationToken);
        }
    }

    private async Task PostAsync(string query, string body, CancellationToken cancellationToken)
    {
        var path = "/?database=" + Uri.EscapeDataString(_database) + (query.Length == 0 ? string.Empty : "&query=" + Uri.EscapeDataString(query));
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await _http.PostAsync(path, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new WarehouseException($"ClickHouse answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        }
    }
}

/// <summary>The warehouse refused or failed a write; the message is what the settings page shows.</summary>
public sealed class WarehouseException(string message) : Exception(message);
