using ClickHouse.Driver;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Engine.History.DuckDb;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// A fresh history store of either kind: DuckDB in a temp folder, or a new database on the ClickHouse server
/// ./test.sh starts (scripts/services/clickhouse.sh). Without SALESDASH_CLICKHOUSE_URL the ClickHouse cases fail,
/// never skip: CI must not pass without having run them.
/// </summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    public const string ClickHouseUrlVariable = "SALESDASH_CLICKHOUSE_URL";

    private readonly TempDirectory? _folder;
    private readonly string? _clickHouseDatabase;

    private StoreUnderTest(IHistoryStore store, TempDirectory? folder, string? clickHouseDatabase)
    {
        Store = store;
        _folder = folder;
        _clickHouseDatabase = clickHouseDatabase;
    }

    public IHistoryStore Store { get; private set; }

    private string DuckDbConnectionString => $"Data Source={Path.Combine(_folder!.Path, "snapshots.duckdb")}";

    /// <summary>Runs SQL on the store's database behind its back (as an older release or an operator would).</summary>
    public async Task ExecuteRawAsync(string sql, CancellationToken cancellationToken)
    {
        if (_clickHouseDatabase is not null)
        {
            using var client = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), _clickHouseDatabase) + ";JsonReadMode=None;JsonWriteMode=None");
            await client.ExecuteNonQueryAsync(sql, cancellationToken: cancellationToken);
            return;
        }

        // DuckDB shares one database per file within the process, so this sees what the store holds.
        using var connection = new DuckDB.NET.Data.DuckDBConnection(DuckDbConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A DuckDB store's rows for <paramref name="sql"/>, each as its values joined by '|', in the order the query gives.</summary>
    public async Task<IReadOnlyList<string>> QueryDuckDbAsync(string sql, CancellationToken cancellationToken)
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection(DuckDbConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>Closes the store and opens a new one on the same database, as a restart would.</summary>
    public async Task ReopenAsync(CancellationToken cancellationToken)
    {
        (Store as IDisposable)?.Dispose();
        Store = _clickHouseDatabase is not null
            ? new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), _clickHouseDatabase))
            : new DuckDbHistoryStore(DuckDbConnectionString);
        await Store.InitializeAsync(cancellationToken);
    }

    /// <summary>The ClickHouse database made for this test; null for DuckDB.</summary>
    public string? ClickHouseDatabase => _clickHouseDatabase;

    public static Uri ClickHouseUrl() =>
        Environment.GetEnvironmentVariable(ClickHouseUrlVariable) is { Length: > 0 } url
            ? new Uri(url)
            : throw new InvalidOperationException(
                $"{ClickHouseUrlVariable} is not set: start ClickHouse with scripts/services/clickhouse.sh (./test.sh does) and export its URL.");

    public static async Task<StoreUnderTest> CreateAsync(string kind, CancellationToken cancellationToken)
    {
        StoreUnderTest created;
        if (kind == "ClickHouse")
        {
            var database = $"salesdash_test_{Guid.NewGuid():N}";
            created = new StoreUnderTest(new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), database)), null, database);
        }
        else
        {
            var folder = new TempDirectory();
            created = new StoreUnderTest(new DuckDbHistoryStore($"Data Source={Path.Combine(folder.Path, "snapshots.duckdb")}"), folder, null);
        }

        await created.Store.InitializeAsync(cancellationToken);
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        _folder?.Dispose();
        if (_clickHouseDatabase is not null)
        {
            using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
            await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {_clickHouseDatabase}");
        }
    }
}

/// <summary>Builds facts the way the tenant entity would hand them over, with only what a test cares about varying.</summary>
internal static class Facts
{
    public static readonly StoreRef Shop = new("acme", "uk-shop");

    public static OrderPlaced Order(
        string orderId, DateTimeOffset placedAt, (string Sku, int Quantity, decimal Price)[] lines, DateTimeOffset? version = null,
        bool returning = false, string? source = "web", string? country = "GB", SalesChannel channel = SalesChannel.Shopify,
        StoreRef? store = null, bool cancelled = false) => new()
        {
            Store = store ?? Shop,
            Channel = channel,
            EventId = $"order-{orderId}-{(version ?? placedAt).ToUnixTimeMilliseconds()}",
            OccurredAt = version ?? placedAt,
            StoreTimeZone = "Europe/London",
            Currency = "GBP",
            OrderId = orderId,
            PlacedAt = placedAt,
            Version = version ?? placedAt,
            TotalPrice = lines.Sum(l => l.Quantity * l.Price),
            Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Quantity, l.Price))],
            ReturningCustomer = returning,
            CustomerId = returning ? "c-1" : null,
            SourceName = source,
            CountryCode = country,
            CancelledAt = cancelled ? placedAt.AddMinutes(5) : null,
        };

    public static RefundIssued Refund(string refundId, string orderId, DateTimeOffset at, (string Sku, int Quantity, decimal Price)[] lines,
        SalesChannel channel = SalesChannel.Shopify, StoreRef? store = null) => new()
        {
            Store = store ?? Shop,
            Channel = channel,
            EventId = $"refund-{refundId}",
            OccurredAt = at,
            StoreTimeZone = "Europe/London",
            Currency = "GBP",
            RefundId = refundId,
            OrderId = orderId,
            Amount = lines.Sum(l => l.Quantity * l.Price),
            Units = lines.Sum(l => l.Quantity),
            Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Quantity, l.Price))],
        };

    public static SessionStarted Session(string sessionId, DateTimeOffset at, string source = "web", StoreRef? store = null) => new()
    {
        Store = store ?? Shop,
        Channel = SalesChannel.Shopify,
        EventId = $"session-{sessionId}",
        OccurredAt = at,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        SessionId = sessionId,
        Source = source,
    };

    public static HistoryBatch Batch(params CommerceEvent[] events)
    {
        var batch = new HistoryBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        return batch;
    }

    /// <summary>
    /// A deterministic, varied history: orders over 40 days from two channels, three sources, several SKUs, some
    /// returning customers, cancellations, later versions, refunds with lines (some of orders placed before the
    /// range) and sessions.
    /// </summary>
    public static IReadOnlyList<CommerceEvent> Varied(DateTimeOffset end, int orders = 600, int seed = 7)
    {
        var random = new Random(seed);
        string[] skus = ["MUG", "TEE", "CAP", "BAG", "PEN", "INK"];
        string[] sources = ["web", "pos", "instagram"];
        var events = new List<CommerceEvent>();
        for (var i = 0; i < orders; i++)
        {
            var placed = end.AddMinutes(-random.Next(0, 40 * 24 * 60)).AddSeconds(random.Next(0, 60));
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => (skus[random.Next(skus.Length)], random.Next(1, 5), Math.Round((decimal)random.Next(100, 5000) / 100m, 2)))
                .ToArray();
            var channel = i % 5 == 0 ? SalesChannel.WooCommerce : SalesChannel.Shopify;
            var order = Order($"o{i}", placed, lines, returning: random.Next(3) == 0, source: sources[random.Next(sources.Length)],
                country: i % 7 == 0 ? null : (i % 2 == 0 ? "GB" : "FR"), channel: channel, cancelled: i % 23 == 0);
            events.Add(order);
            if (i % 11 == 0)
            {
                // A later version with one line fewer (or a changed quantity), as an edit would send.
                var edited = lines.Length > 1 ? lines[..^1] : [(lines[0].Item1, lines[0].Item2 + 1, lines[0].Item3)];
                events.Add(Order($"o{i}", placed, edited, version: placed.AddMinutes(30), returning: order.ReturningCustomer,
                    source: order.SourceName, country: order.CountryCode, channel: channel));
            }

            if (i % 9 == 0)
            {
                events.Add(Refund($"r{i}", $"o{i}", placed.AddHours(random.Next(1, 72)), [lines[0] with { Item2 = 1 }], channel: channel));
            }

            if (i % 2 == 0)
            {
                events.Add(Session($"s{i}a", placed.AddMinutes(-3), sources[random.Next(sources.Length)]));
                events.Add(Session($"s{i}b", placed.AddMinutes(-20), sources[random.Next(sources.Length)]));
            }
        }

        return events;
    }
}
