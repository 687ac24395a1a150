using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Metrics;
using SalesDash.Web.Plans;
using SalesDash.Web.Reports;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.AppData;

/// <summary>
/// A data folder of the earlier version (identity.db from the identity bootstrap; app.db, channels.db and audit.db
/// made with the old hand-written DDL, copied here as it was) is carried into the app database on first start, once.
/// </summary>
public sealed class LegacyImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Now = WebAppFactory.Now;

    [Fact]
    public async Task An_old_data_folder_is_copied_into_the_app_database_on_first_start_and_never_again()
    {
        var folder = Directory.CreateTempSubdirectory("salesdash-legacy-").FullName;
        try
        {
            await PlantOldFolderAsync(folder);
            var settings = new Dictionary<string, string> { ["Engine:DataDirectory"] = folder };

            await using (var app = new IdentityAppFactory(settings))
            {
                await AssertCarriedOverAsync(app.Services);

                // Written after the copy: it must come after the copied entries and survive the second start.
                await app.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry(0, Now, "planted", "u-2", null, null, "After", "POST", "/api/x",
                    new Dictionary<string, string>(), 200, "succeeded", null), Ct);
                var page = await app.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery("planted"), Ct);
                Assert.Equal([(8L, "After"), (7L, "DeleteDashboard"), (6L, "UpdateDashboard"), (5L, "CreateDashboard")], page.Entries.Select(e => (e.Id, e.Action)));
            }

            await using (var again = new IdentityAppFactory(settings))
            {
                await AssertCarriedOverAsync(again.Services);
                Assert.Equal(4, (await again.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery("planted"), Ct)).Entries.Count);
                await using var db = await again.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
                Assert.Equal(["app.db", "audit.db", "channels.db"], await db.Set<LegacyImportRow>().OrderBy(r => r.Source).Select(r => r.Source).ToListAsync(Ct));
                Assert.Equal(1, await db.Set<DashboardRow>().CountAsync(d => d.TenantId == "planted", Ct));
            }

            // The old files are left as they were, for a person to delete once satisfied.
            Assert.All(LegacyDataImport.Files.Append(AppDatabase.LegacyIdentityFileName), f => Assert.True(File.Exists(Path.Combine(folder, f))));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task AssertCarriedOverAsync(IServiceProvider services)
    {
        await using (var db = await services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            Assert.Equal("Planted Ltd", (await db.Organisations.SingleAsync(o => o.Id == "planted", Ct)).Name);
            Assert.Equal("{\"page\":7}", (await db.Set<ChannelConnectionRow>().SingleAsync(Ct)).Settings);
        }

        var store = await services.GetRequiredService<IStoreDirectory>().FindByShopDomainAsync(SalesChannel.Shopify, "planted.myshopify.com", Ct);
        Assert.Equal(("planted", "shop", "planted-secret"), (store!.Store.TenantId, store.Store.StoreId, store.WebhookSecret));

        var dashboards = services.GetRequiredService<IDashboardStore>();
        var board = await dashboards.GetAsync("planted", "d1", Ct);
        Assert.Equal(("Board", "w1", Now), (board!.Name, board.Widgets.Single().Id, board.CreatedAt));
        Assert.Equal(["l1"], (await dashboards.ListShareLinksAsync("planted", "d1", Ct))!.Select(l => l.Id));

        var rule = await services.GetRequiredService<IAlertRuleStore>().GetRuleAsync("planted", "rule1", Ct);
        Assert.Equal("Quiet", rule!.Name);
        var alert = await services.GetRequiredService<IAlertStore>().GetAlertAsync("planted", "alert1", Ct);
        Assert.Equal((AlertStatus.Acknowledged, "ops@planted.test", 0m), (alert!.Status, alert.AcknowledgedBy, alert.Figures.Observed));

        Assert.Equal("revenue / orders", (await services.GetRequiredService<ICustomMetricStore>().GetAsync("planted", "m1", Ct))!.Formula);
        Assert.Equal(PlanTier.Growth, (await services.GetRequiredService<IPlanStore>().GetAsync("planted", Ct))!.Tier);
        Assert.Equal("Planted Live", (await services.GetRequiredService<IBrandingStore>().GetAsync("planted", Ct))!.ProductName);

        var reports = services.GetRequiredService<IReportStore>();
        Assert.Equal("Weekly", (await reports.GetAsync("planted", "r1", Ct))!.Name);
        Assert.Equal(new byte[] { 37, 80, 68, 70 }, await reports.GetPdfAsync("planted", "s1", Ct));

        Assert.Equal("{\"after\":\"abc\"}", await services.GetRequiredService<ICursorStore>().LoadAsync(new StoreRef("planted", "shop"), "orders", Ct));
        Assert.Equal(1.16789m, (await services.GetRequiredService<IExchangeRates>().FindAsync("GBP", "EUR", new DateOnly(2026, 11, 25), Ct))!.Rate);
    }

    private static async Task PlantOldFolderAsync(string folder)
    {
        // identity.db as the earlier bootstrap made it, with an organisation.
        var identityOptions = new DbContextOptionsBuilder<AppIdentityDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "identity.db")};Pooling=False").Options;
        await using (var identity = new SqliteAppDbContext(identityOptions))
        {
            await MigrationTests.PlantBootstrappedIdentityAsync(identity, Ct);
            identity.Organisations.Add(new Organisation { Id = "planted", Name = "Planted Ltd", TimeZone = "Europe/London", ReportingCurrency = "GBP", CreatedAt = Now });
            await identity.SaveChangesAsync(Ct);
        }

        var stamp = "2026-11-25T15:30:00.0000000Z";
        var rule = $$"""{"id":"rule1","tenantId":"planted","name":"Quiet","kind":"NoOrders","metric":"Orders","direction":"Below","windowMinutes":30,"comparison":"LastWeek","minimumSeverity":"Low","frequency":"01:00:00","recipients":[],"inApp":true,"enabled":true,"createdAt":"{{stamp}}","updatedAt":"{{stamp}}"}""";
        var figures = $$"""{"metric":"Orders","observed":0,"expected":12,"windowMinutes":30,"minute":"{{stamp}}","currency":"GBP","severity":"High"}""";
        var report = $$"""{"id":"r1","tenantId":"planted","name":"Weekly","storeIds":["shop"],"period":"Weekly","sendTime":"08:00:00","timeZone":"Europe/London","recipients":["boss@planted.test"],"sections":{"kpiSummary":true,"trend":true,"topProducts":true,"channelBreakdown":true},"enabled":true,"createdAt":"{{stamp}}","updatedAt":"{{stamp}}"}""";
        var send = $$"""{"id":"s1","reportId":"r1","tenantId":"planted","trigger":"schedule","startedAt":"{{stamp}}","periodFrom":"2026-11-16","periodTo":"2026-11-22","recipients":["boss@planted.test"],"status":"Sent","attempts":1,"pdfBytes":4}""";
        await RunAsync(Path.Combine(folder, "app.db"), OldAppDbDdl, $$$"""
            INSERT INTO stores VALUES ('planted', 'shop', 'Planted shop', 'Shopify', 'planted.myshopify.com', 'GBP', 'Europe/London', 'planted-secret');
            INSERT INTO dashboards VALUES ('d1', 'planted', 'Board', '[{"i":"w1","x":0,"y":0,"w":4,"h":2}]',
                '[{"id":"w1","kind":"kpi","title":null,"settings":{"metric":"revenue","period":"today","comparison":"none"}}]', '{{{stamp}}}', '{{{stamp}}}');
            INSERT INTO share_links VALUES ('l1', 'hash-of-token', 'd1', '{{{stamp}}}', NULL);
            INSERT INTO alert_rules VALUES ('rule1', 'planted', '{{{rule}}}', 1, '{{{stamp}}}', '{{{stamp}}}');
            INSERT INTO alerts VALUES ('alert1', 'planted', 'shop', 'rule1', 'Quiet', 'NoOrders', 'Acknowledged', '{{{stamp}}}', '{{{stamp}}}', 'ops@planted.test', NULL,
                'No orders for 30 minutes', '{{{figures}}}', NULL);
            INSERT INTO custom_metrics VALUES ('m1', 'planted', 'AOV', 'revenue / orders', 'Currency', '{{{stamp}}}', '{{{stamp}}}');
            INSERT INTO organisation_branding VALUES ('planted', 'Planted Live', '#112233', '#445566', NULL, '{{{stamp}}}');
            INSERT INTO organisation_plans VALUES ('planted', 'Growth', '{{{stamp}}}', 'owner-1');
            INSERT INTO reports VALUES ('r1', 'planted', 'Weekly', 1, '{{{report}}}');
            INSERT INTO report_sends VALUES ('s1', 'r1', 'planted', '{{{stamp}}}', 'Sent', NULL, '{{{send}}}', X'25504446');
            """);
        await RunAsync(Path.Combine(folder, "channels.db"), OldChannelsDbDdl, """
            INSERT INTO channel_connections VALUES ('planted', 'shop', 'RetiredChannel', 1, '{"page":7}', 'CfDJ8-ciphertext', 600, '2026-11-25T15:30:00.0000000Z');
            INSERT INTO channel_sync_status VALUES ('planted', 'shop', 'RetiredChannel', '{"state":"ok","eventsIngested":3}');
            INSERT INTO poll_cursors VALUES ('planted', 'shop', 'orders', '{"after":"abc"}');
            INSERT INTO exchange_rates VALUES ('GBP', 'EUR', '2026-11-24', '1.16789', 'ECB');
            """);
        await RunAsync(Path.Combine(folder, "audit.db"), OldAuditDbDdl, """
            INSERT INTO audit_log (id, at, at_ms, tenant_id, actor_user_id, actor_email, api_key_id, action, method, path, target, status, outcome, summary) VALUES
                (5, '2026-11-25T15:00:00.0000000+00:00', 1795791600000, 'planted', 'u-1', 'owner@planted.test', NULL, 'CreateDashboard', 'POST', '/api/tenants/planted/dashboards', '{}', 201, 'succeeded', NULL),
                (6, '2026-11-25T15:01:00.0000000+00:00', 1795791660000, 'planted', 'u-1', 'owner@planted.test', NULL, 'UpdateDashboard', 'PUT', '/api/tenants/planted/dashboards/d1', '{"id":"d1"}', 200, 'succeeded', NULL),
                (7, '2026-11-25T15:02:00.0000000+00:00', 1795791720000, 'planted', 'u-1', 'owner@planted.test', NULL, 'DeleteDashboard', 'DELETE', '/api/tenants/planted/dashboards/d2', '{"id":"d2"}', 404, 'refused', NULL);
            """);
    }

    private static async Task RunAsync(string file, string ddl, string rows)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = ddl + ";\n" + rows;
        await command.ExecuteNonQueryAsync(Ct);
    }

    // The earlier version's DDL, verbatim from its hand-written stores (SqliteStoreDirectory, SqliteDashboardStore,
    // SqliteAlertStore, SqliteCustomMetricStore, SqliteBrandingStore, SqlitePlanStore, SqliteReportStore).
    private const string OldAppDbDdl = """
        CREATE TABLE IF NOT EXISTS stores (
            tenant_id TEXT NOT NULL, store_id TEXT NOT NULL, name TEXT NOT NULL, channel TEXT NOT NULL, shop_domain TEXT NOT NULL,
            currency TEXT NOT NULL, time_zone TEXT NOT NULL, webhook_secret TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id), UNIQUE (channel, shop_domain));
        CREATE TABLE IF NOT EXISTS dashboards (
            id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, layout TEXT NOT NULL, widgets TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS dashboards_by_tenant ON dashboards (tenant_id);
        CREATE TABLE IF NOT EXISTS share_links (
            id TEXT NOT NULL PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, dashboard_id TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT NULL);
        CREATE INDEX IF NOT EXISTS share_links_by_dashboard ON share_links (dashboard_id);
        CREATE TABLE IF NOT EXISTS alert_rules (
            id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, body TEXT NOT NULL, enabled INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS alert_rules_by_tenant ON alert_rules (tenant_id);
        CREATE TABLE IF NOT EXISTS alerts (
            id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, store_id TEXT NOT NULL, rule_id TEXT NOT NULL, rule_name TEXT NOT NULL, kind TEXT NOT NULL,
            status TEXT NOT NULL, fired_at TEXT NOT NULL, acknowledged_at TEXT NULL, acknowledged_by TEXT NULL, resolved_at TEXT NULL, message TEXT NOT NULL,
            figures TEXT NOT NULL, resolved_figures TEXT NULL);
        CREATE INDEX IF NOT EXISTS alerts_by_tenant ON alerts (tenant_id, fired_at);
        CREATE INDEX IF NOT EXISTS alerts_open_by_store ON alerts (tenant_id, store_id, status);
        CREATE TABLE IF NOT EXISTS custom_metrics (
            id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, formula TEXT NOT NULL, format TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS custom_metrics_by_tenant ON custom_metrics (tenant_id);
        CREATE TABLE IF NOT EXISTS organisation_branding (
            tenant_id TEXT NOT NULL PRIMARY KEY, product_name TEXT NOT NULL, primary_colour TEXT NOT NULL, accent_colour TEXT NOT NULL, logo TEXT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS organisation_plans (
            tenant_id TEXT NOT NULL PRIMARY KEY, tier TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NULL);
        CREATE TABLE IF NOT EXISTS reports (
            id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, enabled INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS reports_by_tenant ON reports (tenant_id);
        CREATE TABLE IF NOT EXISTS report_sends (
            id TEXT NOT NULL PRIMARY KEY, report_id TEXT NOT NULL, tenant_id TEXT NOT NULL, started_at TEXT NOT NULL, status TEXT NOT NULL,
            next_attempt_at TEXT NULL, body TEXT NOT NULL, pdf BLOB NULL);
        CREATE INDEX IF NOT EXISTS report_sends_by_report ON report_sends (tenant_id, report_id, started_at)
        """;

    // SqliteChannelConnectionStore, SqliteExchangeRates and SqliteCursorStore, all in channels.db.
    private const string OldChannelsDbDdl = """
        CREATE TABLE IF NOT EXISTS channel_connections (
            tenant_id TEXT NOT NULL, store_id TEXT NOT NULL, channel TEXT NOT NULL, enabled INTEGER NOT NULL, settings TEXT NOT NULL,
            credentials TEXT NOT NULL, poll_interval_seconds INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, store_id, channel));
        CREATE TABLE IF NOT EXISTS channel_sync_status (
            tenant_id TEXT NOT NULL, store_id TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (tenant_id, store_id, channel));
        CREATE TABLE IF NOT EXISTS exchange_rates (
            from_currency TEXT NOT NULL, to_currency TEXT NOT NULL, rate_date TEXT NOT NULL, rate TEXT NOT NULL, source TEXT NOT NULL,
            PRIMARY KEY (from_currency, to_currency, rate_date));
        CREATE TABLE IF NOT EXISTS poll_cursors (
            tenant_id TEXT NOT NULL, store_id TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT NOT NULL, PRIMARY KEY (tenant_id, store_id, stream))
        """;

    // SqliteAuditLog in audit.db, triggers included.
    private const string OldAuditDbDdl = """
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, at_ms INTEGER NOT NULL, tenant_id TEXT NULL, actor_user_id TEXT NULL,
            actor_email TEXT NULL, api_key_id TEXT NULL, action TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, target TEXT NOT NULL,
            status INTEGER NOT NULL, outcome TEXT NOT NULL, summary TEXT NULL);
        CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit_log (tenant_id, id);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """;
}
