using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Warehouse;

namespace SalesDash.Web.Tests.Warehouse;

/// <summary>
/// The app with the warehouse job off (tests run syncs themselves), pages of two rows so a sync spans several pages,
/// loopback let through the outbound policy for the test servers, and organisations pinned to Enterprise or Scale.
/// </summary>
public sealed class WarehouseAppFactory() : SalesDashHost(new SalesDashHostOptions
{
    SelfHosted = false,
    Stores = [],
    Settings = new Dictionary<string, string>
    {
        ["Channels:SchedulerEnabled"] = "false",
        ["Plans:NoticesEnabled"] = "false",
        ["Warehouse:Enabled"] = "false",
        ["Warehouse:PageSize"] = "2",
        ["Outbound:AllowedHosts:0"] = "127.0.0.1/32",
    },
})
{
    /// <summary>A new organisation on <paramref name="tier"/> with one store, "shop" (EUR, Berlin).</summary>
    public async Task<string> OrganisationAsync(PlanTier tier, CancellationToken cancellationToken)
    {
        var tenant = $"wh-{Guid.NewGuid():N}"[..18];
        await Services.GetRequiredService<IStoreDirectory>().UpsertAsync(
            new StoreProfile(new StoreRef(tenant, "shop"), "Shop", SalesChannel.Shopify, $"{tenant}.myshopify.com", "EUR", "Europe/Berlin", "secret-0123456789-abcdef"),
            cancellationToken);
        await Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, tier, Clock.GetUtcNow(), "test"), cancellationToken);
        return tenant;
    }
}

/// <summary>
/// Orders, lines, refunds and daily KPIs copied to a real PostgreSQL and a real ClickHouse (the servers ./test.sh
/// starts; each test makes its own database): a sync that crashes mid-way and is run again leaves exactly the source
/// rows, running it again changes nothing, and later changes arrive with the next run.
/// </summary>
public sealed class WarehouseSyncTests(WarehouseAppFactory app) : IClassFixture<WarehouseAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(WarehouseKind.PostgreSql)]
    [InlineData(WarehouseKind.ClickHouse)]
    public async Task A_sync_that_crashed_mid_way_and_ran_again_leaves_exactly_the_source_rows(WarehouseKind kind)
    {
        var tenant = await app.OrganisationAsync(PlanTier.Enterprise, Ct);
        await using var warehouse = await TestWarehouse.CreateAsync(kind, Ct);
        using var owner = app.CreateSignedInClient(OrgRole.Owner, tenant);

        // Five orders over two Berlin days (23:30 UTC on the 19th is the 20th in Berlin), one cancelled, one with two lines; two refunds.
        var day1 = new DateTimeOffset(2026, 11, 19, 10, 0, 0, TimeSpan.Zero);
        await WriteAsync(
            Order(tenant, "A-1", day1, 30m, ("MUG", 2, 10m), ("PEN", 1, 10m)),
            Order(tenant, "A-2", day1.AddHours(1), 15m, ("PEN", 1, 15m)),
            Order(tenant, "A-3", day1.AddHours(2), 40m, ("TEE", 1, 40m)) with { CancelledAt = day1.AddHours(3) },
            Order(tenant, "A-4", day1.AddHours(13.5), 22.5m, ("INK", 3, 7.5m)),
            Order(tenant, "A-5", day1.AddDays(1), 8m, ("PEN", 1, 8m)),
            Refund(tenant, "R-1", "A-1", day1.AddHours(5), 10m),
            Refund(tenant, "R-2", "A-5", day1.AddDays(1).AddHours(1), 8m));

        using (var saved = await owner.PutAsJsonAsync($"/api/tenants/{tenant}/warehouse", warehouse.Request, Json, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        // The run dies writing its second page of orders: the first page is in, the watermark stands after it.
        var crashing = new WarehouseSync(app.Services.GetRequiredService<IWarehouseConnectionStore>(),
            new CrashOnSecondOrderPage(app.Services.GetRequiredService<IWarehouseTargetFactory>()), app.Services.GetRequiredService<IStoreDirectory>(),
            app.Services.GetRequiredService<IHistoryStore>(), app.Services.GetRequiredService<IPlanService>(),
            app.Services.GetRequiredService<IOptions<WarehouseOptions>>(), app.Clock);
        var crash = await Assert.ThrowsAsync<WarehouseException>(() => crashing.RunAsync(tenant, Ct));
        Assert.Equal(["A-1", "A-2"], await warehouse.OrderIdsAsync(Ct));
        var mark = await app.Services.GetRequiredService<IWarehouseConnectionStore>().GetWatermarkAsync(tenant, "shop", WarehouseSync.OrdersTable, Ct);
        Assert.Equal(new WarehouseWatermark(day1.AddHours(1), "A-2"), mark);
        var failed = (await owner.GetFromJsonAsync<WarehouseView>($"/api/tenants/{tenant}/warehouse", Json, Ct))!;
        Assert.Equal(crash.Message, failed.LastError);

        // Run again, twice: exactly the source rows, the second run changing nothing.
        for (var run = 0; run < 2; run++)
        {
            using var synced = await owner.PostAsync($"/api/tenants/{tenant}/warehouse/sync", null, Ct);
            Assert.Equal(HttpStatusCode.OK, synced.StatusCode);
        }

        Assert.Equal(["A-1", "A-2", "A-3", "A-4", "A-5"], await warehouse.OrderIdsAsync(Ct));
        Assert.Equal(
            ["A-1|30.00|3|false", "A-2|15.00|1|false", "A-3|40.00|1|true", "A-4|22.50|3|false", "A-5|8.00|1|false"],
            await warehouse.RowsAsync("SELECT order_id, total, units, CASE WHEN cancelled THEN 'true' ELSE 'false' END FROM salesdash_orders{final} ORDER BY order_id", Ct));
        Assert.Equal(["A-1|1|MUG|2|20.00", "A-1|2|PEN|1|10.00", "A-2|1|PEN|1|15.00", "A-3|1|TEE|1|40.00", "A-4|1|INK|3|22.50", "A-5|1|PEN|1|8.00"],
            await warehouse.RowsAsync("SELECT order_id, line_no, sku, quantity, line_revenue FROM salesdash_order_lines{final} ORDER BY order_id, line_no", Ct));
        Assert.Equal(["R-1|A-1|10.00|2026-11-19", "R-2|A-5|8.00|2026-11-20"],
            await warehouse.RowsAsync("SELECT refund_id, order_id, amount, local_date FROM salesdash_refunds{final} ORDER BY refund_id", Ct));

        // Daily KPIs by the store's own day: A-4 (23:30 UTC) is Berlin's 20th; the cancelled A-3 counts nothing.
        Assert.Equal(["2026-11-19|2|45.00|10.00|35.00", "2026-11-20|2|30.50|8.00|22.50"],
            await warehouse.RowsAsync("SELECT day, orders, gross_revenue, refunds, net_revenue FROM salesdash_daily_kpis ORDER BY day", Ct));
        var done = (await owner.GetFromJsonAsync<WarehouseView>($"/api/tenants/{tenant}/warehouse", Json, Ct))!;
        Assert.Equal((null, 7L), (done.LastError, done.LastRowsWritten));

        // Later: a new order, and A-2 cancelled (a new version of an order already copied); the next run brings both.
        await WriteAsync(
            Order(tenant, "A-6", day1.AddDays(1).AddHours(2), 12m, ("MUG", 1, 12m)),
            Order(tenant, "A-2", day1.AddHours(1), 15m, ("PEN", 1, 15m)) with { CancelledAt = day1.AddDays(1).AddHours(3), Version = day1.AddDays(1).AddHours(3) });
        using (var synced = await owner.PostAsync($"/api/tenants/{tenant}/warehouse/sync", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, synced.StatusCode);
        }

        Assert.Equal(["2026-11-19|1|30.00|10.00|20.00", "2026-11-20|3|42.50|8.00|34.50"],
            await warehouse.RowsAsync("SELECT day, orders, gross_revenue, refunds, net_revenue FROM salesdash_daily_kpis ORDER BY day", Ct));
    }

    [Fact]
    public async Task The_connection_is_enterprise_only_checked_before_saving_and_its_password_never_leaves_encrypted_storage()
    {
        var scale = await app.OrganisationAsync(PlanTier.Scale, Ct);
        var enterprise = await app.OrganisationAsync(PlanTier.Enterprise, Ct);
        await using var warehouse = await TestWarehouse.CreateAsync(WarehouseKind.PostgreSql, Ct);

        // Scale: the plan-limit problem naming the feature and Enterprise.
        using var scaleOwner = app.CreateSignedInClient(OrgRole.Owner, scale);
        using var refused = await scaleOwner.PutAsJsonAsync($"/api/tenants/{scale}/warehouse", warehouse.Request, Json, Ct);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, PlanLimitProblems.Type, "a data warehouse connection", "Enterprise"),
            (refused.StatusCode, problem.GetProperty("type").GetString(), problem.GetProperty("limit").GetString(), problem.GetProperty("upgradeTo").GetString()));

        // Bad fields are named; a private address outside the allowed ranges is refused by the outbound policy; nothing is saved.
        using var owner = app.CreateSignedInClient(OrgRole.Owner, enterprise);
        using var bad = await owner.PutAsJsonAsync($"/api/tenants/{enterprise}/warehouse",
            warehouse.Request with { Kind = "Oracle", Port = 0, Database = "db; DROP", IntervalMinutes = 1 }, Json, Ct);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["database", "intervalMinutes", "kind", "port"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        using var internalHost = await owner.PutAsJsonAsync($"/api/tenants/{enterprise}/warehouse", warehouse.Request with { Host = "10.1.2.3" }, Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, internalHost.StatusCode);
        Assert.Contains("10.1.2.3", (await internalHost.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors").GetProperty("host")[0].GetString(), StringComparison.Ordinal);
        using var wrongPassword = await owner.PutAsJsonAsync($"/api/tenants/{enterprise}/warehouse", warehouse.Request with { Password = "not-the-password" }, Json, Ct);
        Assert.Equal(HttpStatusCode.BadGateway, wrongPassword.StatusCode);
        using (var none = await owner.GetAsync($"/api/tenants/{enterprise}/warehouse", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        // Saved: shown without its password, stored encrypted; an edit without a password keeps it.
        using var saved = await owner.PutAsJsonAsync($"/api/tenants/{enterprise}/warehouse", warehouse.Request, Json, Ct);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var shown = await saved.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);
        Assert.Equal((false, true), (shown.TryGetProperty("password", out _), shown.GetProperty("hasPassword").GetBoolean()));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>().Set<WarehouseConnectionRow>().SingleAsync(r => r.TenantId == enterprise, Ct);
            Assert.DoesNotContain(warehouse.Request.Password!, row.ProtectedSettings, StringComparison.Ordinal);
            Assert.DoesNotContain(warehouse.Request.Host!, row.ProtectedSettings, StringComparison.Ordinal);
        }

        using var edited = await owner.PutAsJsonAsync($"/api/tenants/{enterprise}/warehouse", warehouse.Request with { Password = null, IntervalMinutes = 30 }, Json, Ct);
        var view = (await edited.Content.ReadFromJsonAsync<WarehouseView>(Json, Ct))!;
        Assert.Equal((HttpStatusCode.OK, true, 30), (edited.StatusCode, view.HasPassword, view.IntervalMinutes));

        // The cluster job runs a connection when its interval has passed since the last run, not before.
        var job = app.Services.GetRequiredService<WarehouseSyncJob>();
        Assert.Contains(enterprise, await job.RunDueAsync(Ct));
        Assert.DoesNotContain(enterprise, await job.RunDueAsync(Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Contains(enterprise, await job.RunDueAsync(Ct));
    }

    [Fact]
    public async Task Parquet_files_made_by_duckdb_hold_the_organisations_orders_lines_and_refunds()
    {
        var tenant = await app.OrganisationAsync(PlanTier.Enterprise, Ct);
        var scale = await app.OrganisationAsync(PlanTier.Scale, Ct);
        var at = new DateTimeOffset(2026, 11, 19, 23, 30, 0, TimeSpan.Zero);
        await WriteAsync(
            Order(tenant, "P-1", at, 30m, ("MUG", 2, 10m), ("PEN", 1, 10m)),
            Order(tenant, "P-2", at.AddHours(1), 12.35m, ("INK", 1, 12.35m)),
            Refund(tenant, "PR-1", "P-1", at.AddHours(2), 10m));
        using var owner = app.CreateSignedInClient(OrgRole.Owner, tenant);

        var folder = Directory.CreateTempSubdirectory("salesdash-parquet-test-").FullName;
        try
        {
            async Task<IReadOnlyList<string>> ReadAsync(string table, string columns)
            {
                using var response = await owner.GetAsync($"/api/tenants/{tenant}/warehouse/parquet/{table}", Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var file = Path.Combine(folder, table + ".parquet");
                await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync(Ct), Ct);
                await using var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
                await duck.OpenAsync(Ct);
                await using var command = duck.CreateCommand();
                command.CommandText = $"SELECT {columns} FROM read_parquet('{file}') ORDER BY ALL";
                await using var reader = await command.ExecuteReaderAsync(Ct);
                var rows = new List<string>();
                while (await reader.ReadAsync(Ct))
                {
                    rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
                }

                return rows;
            }

            // Local dates are Berlin's: 23:30 UTC on the 19th is the 20th there.
            Assert.Equal(["P-1|30.00|3|2026-11-20", "P-2|12.35|1|2026-11-20"], await ReadAsync("orders", "order_id, CAST(total AS VARCHAR), units, CAST(local_date AS VARCHAR)"));
            Assert.Equal(["P-1|1|MUG|20.00", "P-1|2|PEN|10.00", "P-2|1|INK|12.35"], await ReadAsync("order_lines", "order_id, line_no, sku, CAST(line_revenue AS VARCHAR)"));
            Assert.Equal(["PR-1|P-1|10.00|EUR"], await ReadAsync("refunds", "refund_id, order_id, CAST(amount AS VARCHAR), currency"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        using var unknown = await owner.GetAsync($"/api/tenants/{tenant}/warehouse/parquet/customers", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var scaleOwner = app.CreateSignedInClient(OrgRole.Owner, scale);
        using var refused = await scaleOwner.GetAsync($"/api/tenants/{scale}/warehouse/parquet/orders", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private async Task WriteAsync(params CommerceEvent[] events)
    {
        var batch = new HistoryBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }

    private static OrderPlaced Order(string tenant, string id, DateTimeOffset at, decimal total, params (string Sku, int Quantity, decimal Price)[] lines) => new()
    {
        Store = new StoreRef(tenant, "shop"),
        Channel = SalesChannel.Shopify,
        EventId = $"{id}-{at:O}",
        OccurredAt = at,
        StoreTimeZone = "Europe/Berlin",
        Currency = "EUR",
        OrderId = id,
        PlacedAt = at,
        Version = at,
        TotalPrice = total,
        Lines = [.. lines.Select(l => new OrderLine(l.Sku, l.Sku, l.Quantity, l.Price))],
    };

    private static RefundIssued Refund(string tenant, string id, string order, DateTimeOffset at, decimal amount) => new()
    {
        Store = new StoreRef(tenant, "shop"),
        Channel = SalesChannel.Shopify,
        EventId = id,
        OccurredAt = at,
        StoreTimeZone = "Europe/Berlin",
        Currency = "EUR",
        RefundId = id,
        OrderId = order,
        Amount = amount,
        Units = 1,
    };

    /// <summary>The real target, failing as it writes the second page of orders: a crash mid-sync.</summary>
    private sealed class CrashOnSecondOrderPage(IWarehouseTargetFactory inner) : IWarehouseTargetFactory
    {
        public async Task<IWarehouseTarget> OpenAsync(WarehouseSettings settings, CancellationToken cancellationToken) =>
            new Crashing(await inner.OpenAsync(settings, cancellationToken));

        private sealed class Crashing(IWarehouseTarget target) : IWarehouseTarget
        {
            private int _pages;

            public Task EnsureSchemaAsync(CancellationToken cancellationToken) => target.EnsureSchemaAsync(cancellationToken);

            public Task WriteOrdersAsync(WarehouseStore store, IReadOnlyList<OrderFact> orders, CancellationToken cancellationToken) =>
                ++_pages == 2 ? throw new WarehouseException("connection lost") : target.WriteOrdersAsync(store, orders, cancellationToken);

            public Task WriteRefundsAsync(WarehouseStore store, IReadOnlyList<RefundFact> refunds, CancellationToken cancellationToken) =>
                target.WriteRefundsAsync(store, refunds, cancellationToken);

            public ValueTask DisposeAsync() => target.DisposeAsync();
        }
    }
}

/// <summary>A fresh database on the PostgreSQL or ClickHouse test server, the request that connects to it, and reads of what landed.</summary>
internal sealed class TestWarehouse : IAsyncDisposable
{
    private readonly WarehouseKind _kind;
    private readonly string _database;
    private readonly string _admin;

    private TestWarehouse(WarehouseKind kind, string database, string admin, WarehouseRequest request)
    {
        _kind = kind;
        _database = database;
        _admin = admin;
        Request = request;
    }

    public WarehouseRequest Request { get; }

    public static async Task<TestWarehouse> CreateAsync(WarehouseKind kind, CancellationToken cancellationToken)
    {
        var database = $"wh_{Guid.NewGuid():N}"[..20];
        if (kind == WarehouseKind.PostgreSql)
        {
            var admin = Environment.GetEnvironmentVariable("SALESDASH_POSTGRES");
            Assert.False(string.IsNullOrWhiteSpace(admin), "SALESDASH_POSTGRES is not set: run scripts/services/postgres.sh (./test.sh does).");
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var b = new NpgsqlConnectionStringBuilder(admin);
            return new TestWarehouse(kind, database, admin!, new WarehouseRequest("PostgreSql", b.Host, b.Port, database, b.Username, b.Password, false, 60));
        }

        var url = Environment.GetEnvironmentVariable("SALESDASH_CLICKHOUSE_URL");
        Assert.False(string.IsNullOrWhiteSpace(url), "SALESDASH_CLICKHOUSE_URL is not set: run scripts/services/clickhouse.sh (./test.sh does).");
        var uri = new Uri(url!);
        await ClickHouseAsync(uri, "default", $"CREATE DATABASE {database}", cancellationToken);
        return new TestWarehouse(kind, database, url!, new WarehouseRequest("ClickHouse", uri.Host, uri.Port, database, "default", string.Empty, false, 60));
    }

    public async Task<IReadOnlyList<string>> OrderIdsAsync(CancellationToken cancellationToken) =>
        await RowsAsync("SELECT order_id FROM salesdash_orders{final} ORDER BY order_id", cancellationToken);

    /// <summary>Rows as "a|b|c"; {final} reads merged ClickHouse rows (FINAL) and nothing on PostgreSQL.</summary>
    public async Task<IReadOnlyList<string>> RowsAsync(string sql, CancellationToken cancellationToken)
    {
        sql = sql.Replace("{final}", _kind == WarehouseKind.ClickHouse ? " FINAL" : string.Empty, StringComparison.Ordinal);
        if (_kind == WarehouseKind.ClickHouse)
        {
            var text = await ClickHouseAsync(new Uri(_admin), _database, sql + " FORMAT TSV", cancellationToken);
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace('\t', '|'))];
        }

        var b = new NpgsqlConnectionStringBuilder(_admin) { Database = _database };
        await using var connection = new NpgsqlConnection(b.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
            {
                decimal d => d.ToString("0.00", CultureInfo.InvariantCulture),
                DateTime t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateOnly t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            })));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_kind == WarehouseKind.ClickHouse)
        {
            await ClickHouseAsync(new Uri(_admin), "default", $"DROP DATABASE IF EXISTS {_database}", CancellationToken.None);
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> ClickHouseAsync(Uri server, string database, string sql, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var content = new StringContent(sql, Encoding.UTF8);
        using var response = await http.PostAsync(new Uri(server, $"/?database={database}"), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"ClickHouse: {text}");
        return text;
    }
}
