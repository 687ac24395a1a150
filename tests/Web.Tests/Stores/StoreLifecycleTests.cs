using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.History;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Alerts;
using SalesDash.Web.AppData;
using SalesDash.Web.Channels;
using SalesDash.Web.Goals;
using SalesDash.Web.Identity;
using SalesDash.Web.Imports;
using SalesDash.Web.Onboarding;
using SalesDash.Web.Recommendations;
using SalesDash.Web.Reports;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.AppData;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Warehouse;

namespace SalesDash.Web.Tests.Stores;

/// <summary>
/// Disconnecting a store stops its data (webhooks 410, pollers, the Shopify app token) and keeps its history;
/// reconnecting issues a new secret. Deleting it with its typed name removes every app row, journal row and history row
/// of it (each queried), on SQLite and on PostgreSQL, leaves the other store whole, keeps the audit row, and its id then
/// reads nothing (404) and is never given out again; a wrong or missing name deletes nothing.
/// </summary>
public sealed class StoreLifecycleTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TestStore Doomed = new("lc", "doomed", "lc-doomed.myshopify.com", "GBP", "Europe/London", "doomed-secret-0123456789");
    private static readonly TestStore Kept = new("lc", "kept", "lc-kept.myshopify.com", "GBP", "Europe/London", "kept-secret-0123456789");

    // The test drives the pollers itself: a scheduled poll of the seeded connections would race it (and reach for the network).
    private static readonly Dictionary<string, string> NoScheduledPolls = new() { ["Channels:SchedulerEnabled"] = "false" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Disconnected_store_takes_no_data_keeps_its_history_and_reconnects_with_a_new_secret()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [], Settings = NoScheduledPolls });
        await CreateStoresAsync(app);
        var admin = app.CreateSignedInClient(OrgRole.Admin, "lc");
        var webhooks = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(Doomed, 1, 40m), Ct)).StatusCode);
        await app.FlushHistoryAsync();
        var history = app.Services.GetRequiredService<IHistoryStore>();
        var before = await history.CountStoreRowsAsync("lc", "doomed", Ct);
        Assert.True(before["history_orders"] > 0);

        // An app-installed store's Admin token, and a poller of another channel.
        var connections = app.Services.GetRequiredService<IChannelConnectionStore>();
        await connections.UpsertAsync(Connection(Doomed, SalesChannel.Shopify, "shopDomain", Doomed.ShopDomain, "accessToken"), Ct);
        await connections.UpsertAsync(Connection(Doomed, SalesChannel.FacebookAds, "adAccountId", "act_1", "accessToken"), Ct);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            db.Add(new ShopifyInstallationRow { TenantId = "lc", StoreId = "doomed", ShopDomain = Doomed.ShopDomain, Scopes = "read_orders", InstalledAt = WebAppFactory.Now.UtcDateTime });
            await db.SaveChangesAsync(Ct);
        }

        using var disconnect = await admin.PostAsync("/api/tenants/lc/stores/doomed/disconnect", null, Ct);
        Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        var listed = (await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!;
        Assert.NotNull(listed.Single(s => s.StoreId == "doomed").DisconnectedAt);
        Assert.Null(listed.Single(s => s.StoreId == "kept").DisconnectedAt);

        // Its webhooks: 410 with a problem that says why, and nothing recorded.
        using var gone = await webhooks.SendAsync(Order(Doomed, 2, 55m), Ct);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Contains("disconnected", (await gone.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(Kept, 3, 10m), Ct)).StatusCode);
        await app.FlushHistoryAsync();
        var after = await history.CountStoreRowsAsync("lc", "doomed", Ct);
        Assert.Equal((before["history_orders"], before["history_order_lines"]), (after["history_orders"], after["history_order_lines"]));

        // The Shopify app connection is gone (its installation marked uninstalled); the poller stays configured but does not run.
        Assert.Null(await connections.GetAsync(new StoreRef("lc", "doomed"), SalesChannel.Shopify, Ct));
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            Assert.NotNull((await db.Set<ShopifyInstallationRow>().SingleAsync(i => i.StoreId == "doomed", Ct)).UninstalledAt);
        }

        Assert.Null(await app.Services.GetRequiredService<ChannelSyncRunner>().SyncAsync(new StoreRef("lc", "doomed"), SalesChannel.FacebookAds, Ct));
        Assert.Equal(SyncStates.Never, (await connections.GetStatusAsync(new StoreRef("lc", "doomed"), SalesChannel.FacebookAds, Ct)).State);

        // Its figures are still there to read.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/tenants/lc/stores/doomed/tiles", Ct)).StatusCode);

        // Reconnected: a new secret, shown once; the old one no longer signs.
        using var reconnect = await admin.PostAsync("/api/tenants/lc/stores/doomed/reconnect", null, Ct);
        Assert.Equal(HttpStatusCode.OK, reconnect.StatusCode);
        var secret = (await reconnect.Content.ReadFromJsonAsync<ReconnectedStore>(Json, Ct))!.WebhookSecret;
        Assert.False(string.IsNullOrEmpty(secret));
        Assert.NotEqual(Doomed.WebhookSecret, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await webhooks.SendAsync(Order(Doomed, 4, 12m), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(Doomed with { WebhookSecret = secret! }, 5, 12m), Ct)).StatusCode);
        Assert.Null((await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!.Single(s => s.StoreId == "doomed").DisconnectedAt);

        var audit = (await admin.GetFromJsonAsync<JsonElement>("/api/tenants/lc/audit", Json, Ct)).GetRawText();
        Assert.Contains("DisconnectStore", audit, StringComparison.Ordinal);
        Assert.Contains("ReconnectStore", audit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deleted_store_leaves_nothing_in_any_table_journal_or_history_and_the_other_store_is_whole(bool postgres)
    {
        await using var appDatabase = postgres ? await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct) : null;
        await using var journalDatabase = postgres ? await JournalDatabase.CreateAsync(Ct) : null;
        var settings = new Dictionary<string, string>();
        if (appDatabase is not null && journalDatabase is not null)
        {
            foreach (var (key, value) in appDatabase.Settings)
            {
                settings[key] = value;
            }

            settings["Engine:Journal"] = "PostgreSql";
            settings["Engine:JournalConnectionString"] = journalDatabase.ConnectionString;
        }

        foreach (var (key, value) in NoScheduledPolls)
        {
            settings[key] = value;
        }

        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [], Settings = settings });
        await CreateStoresAsync(app);
        var webhooks = app.CreateClient();
        foreach (var store in new[] { Doomed, Kept })
        {
            Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(store, 10, 25m), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await webhooks.SendAsync(Order(store, 11, 35m), Ct)).StatusCode);
        }

        await app.FlushHistoryAsync();
        await SeedAppRowsAsync(app, Doomed);
        await SeedAppRowsAsync(app, Kept);
        var admin = app.CreateSignedInClient(OrgRole.Admin, "lc");
        var history = app.Services.GetRequiredService<IHistoryStore>();
        var journal = new JournalPurge(app.Services.GetRequiredService<IOptions<EngineOptions>>().Value);
        var doomedId = TenantStoreIds.PersistenceIdFor(new StoreRef("lc", "doomed"));
        var keptId = TenantStoreIds.PersistenceIdFor(new StoreRef("lc", "kept"));
        Assert.True((await journal.CountAsync(doomedId, Ct)).Values.Sum() > 0);
        Assert.True((await history.CountStoreRowsAsync("lc", "doomed", Ct)).Values.Sum() > 0);
        var appBefore = await AppRowsAsync(app, Doomed);
        foreach (var seeded in new[] { "\"Stores\"", "\"ChannelConnections\"", "\"ChannelSyncStatus\"", "\"PollCursors\"", "\"Alerts\"", "\"AlertPauses\"",
                     "\"ImportJobs\"", "\"ShopifyInstallations\"", "\"WarehouseWatermarks\"", "\"RecommendationStatuses\"", "\"PreviousWebhookSecrets\"",
                     "ImportChunks (of its jobs)", "AlertRules (naming it)", "Goals (naming it)" })
        {
            Assert.True(appBefore.GetValueOrDefault(seeded) > 0, $"{seeded} was not seeded (tables: {string.Join(", ", appBefore.Keys)})");
        }

        // A missing name and a wrong one (case matters) are refused, and nothing is deleted.
        using (var missing = await DeleteAsync(admin, "doomed", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        using (var wrong = await DeleteAsync(admin, "doomed", "doomed shop"))
        {
            Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);
            Assert.Contains("Nothing was deleted", (await wrong.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(appBefore, await AppRowsAsync(app, Doomed));
        Assert.True((await journal.CountAsync(doomedId, Ct)).Values.Sum() > 0);
        Assert.True((await history.CountStoreRowsAsync("lc", "doomed", Ct)).Values.Sum() > 0);

        var keptApp = await AppRowsAsync(app, Kept);
        // Facts only: the kept store's live entity may still write its minute rows at any moment.
        var keptHistory = Facts(await history.CountStoreRowsAsync("lc", "kept", Ct));
        var keptJournal = (await journal.CountAsync(keptId, Ct)).Values.Sum();

        using (var deleted = await DeleteAsync(admin, "doomed", "Doomed Shop"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        // Every store-keyed app table, every journal table and every history table: nothing of it.
        Assert.All(await AppRowsAsync(app, Doomed), table => Assert.Equal(0, table.Value));
        Assert.All(await journal.CountAsync(doomedId, Ct), table => Assert.Equal(0, table.Value));
        Assert.All(await history.CountStoreRowsAsync("lc", "doomed", Ct), table => Assert.Equal(0, table.Value));
        var reports = await app.Services.GetRequiredService<IReportStore>().ListAsync("lc", Ct);
        Assert.Equal(new[] { "kept" }, Assert.Single(reports, r => r.Name == "Both").StoreIds);
        Assert.DoesNotContain(reports, r => r.Name == "Doomed only");

        // The other store is whole; the organisation-wide rule stays.
        Assert.Equal(keptApp, await AppRowsAsync(app, Kept));
        Assert.Equal(keptHistory, Facts(await history.CountStoreRowsAsync("lc", "kept", Ct)));
        Assert.True(keptHistory["history_orders"] > 0);
        Assert.Equal(keptJournal, (await journal.CountAsync(keptId, Ct)).Values.Sum());
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            Assert.Equal(1, await db.Set<AlertRuleRow>().CountAsync(r => r.Id == "rule-org", Ct));
        }

        // Its id reads nothing and is never given to another store; its webhooks find no store.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/tenants/lc/stores/doomed/tiles", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await webhooks.SendAsync(Order(Doomed, 12, 5m), Ct)).StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!, s => s.StoreId == "doomed");
        using (var again = await admin.PostAsJsonAsync("/api/tenants/lc/stores",
                   new StoreCreateRequest("doomed", "Doomed Again", "Shopify", "lc-doomed-2.myshopify.com", "GBP", "Europe/London", "another-secret-0123"), Json, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var repeat = await DeleteAsync(admin, "doomed", "Doomed Shop"))
        {
            Assert.Equal(HttpStatusCode.NotFound, repeat.StatusCode);
        }

        // Audited with who; the audit rows of the refusals and of the deletion survive it.
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/tenants/lc/audit?action=DeleteStore", Json, Ct);
        var entries = audit.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("status").GetInt32() == 200 && e.GetProperty("actorEmail").GetString()!.Length > 0
            && e.GetProperty("summary").GetString()!.StartsWith("deleted Doomed Shop with its data", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.GetProperty("status").GetInt32() == 409);
    }

    [Fact]
    public async Task A_store_set_in_configuration_is_not_deleted_and_non_admins_cannot_delete()
    {
        await using var app = new SalesDashHost();
        var analyst = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        using (var refused = await DeleteAsync(analyst, "uk-shop", "acme uk-shop", "acme"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var admin = app.CreateSignedInClient(OrgRole.Admin, "acme");
        using var configured = await DeleteAsync(admin, "uk-shop", "acme uk-shop", "acme");
        Assert.Equal(HttpStatusCode.Conflict, configured.StatusCode);
        Assert.Contains("Stores configuration", (await configured.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains((await admin.GetFromJsonAsync<StoreSummary[]>("/api/stores", Json, Ct))!, s => s.StoreId == "uk-shop");
    }

    private static Dictionary<string, long> Facts(IReadOnlyDictionary<string, long> counts) =>
        counts.Where(c => c.Key.StartsWith("history_", StringComparison.Ordinal)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient client, string storeId, string? name, string tenantId = "lc")
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/tenants/{tenantId}/stores/{storeId}")
        {
            Content = JsonContent.Create(new StoreDeleteRequest(name), options: Json),
        };
        return await client.SendAsync(request, Ct);
    }

    private static async Task CreateStoresAsync(SalesDashHost app)
    {
        var directory = app.Services.GetRequiredService<IStoreDirectory>();
        await directory.UpsertAsync(new StoreProfile(new StoreRef("lc", "doomed"), "Doomed Shop", SalesChannel.Shopify, Doomed.ShopDomain, "GBP", "Europe/London", Doomed.WebhookSecret), Ct);
        await directory.UpsertAsync(new StoreProfile(new StoreRef("lc", "kept"), "Kept Shop", SalesChannel.Shopify, Kept.ShopDomain, "GBP", "Europe/London", Kept.WebhookSecret), Ct);
    }

    private static HttpRequestMessage Order(TestStore store, long id, decimal total)
    {
        var at = WebAppFactory.Now.AddMinutes(-30 - id);
        return ShopifyPayloads.Webhook(store, "orders/create", new TestOrder(id, at, at, total, 1, 900 + id, 1).ToJson(store.Currency));
    }

    private static ChannelConnection Connection(TestStore store, SalesChannel channel, string setting, string value, string credential) =>
        new(new StoreRef(store.TenantId, store.StoreId), channel, true, new Dictionary<string, string> { [setting] = value },
            new Dictionary<string, string> { [credential] = "token-0123456789" }, TimeSpan.FromMinutes(15), WebAppFactory.Now);

    /// <summary>A row of the store in every app table keyed by a store, and documents naming it (rules, goals, reports).</summary>
    private static async Task SeedAppRowsAsync(SalesDashHost app, TestStore store)
    {
        var (t, s) = (store.TenantId, store.StoreId);
        var now = WebAppFactory.Now.UtcDateTime;
        var connections = app.Services.GetRequiredService<IChannelConnectionStore>();
        await connections.UpsertAsync(Connection(store, SalesChannel.FacebookAds, "adAccountId", "act_" + s, "accessToken"), Ct);
        await connections.SaveStatusAsync(new StoreRef(t, s), SalesChannel.FacebookAds, ChannelSyncStatus.Initial with { State = SyncStates.Ok }, Ct);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct))
        {
            db.Add(new PollCursorRow { TenantId = t, StoreId = s, Stream = "orders", Cursor = "{}" });
            db.Add(new AlertRuleRow { Id = "rule-" + s, TenantId = t, Body = Rule("rule-" + s, s), Enabled = true, CreatedAt = now, UpdatedAt = now });
            if (!await db.Set<AlertRuleRow>().AnyAsync(r => r.Id == "rule-org", Ct))
            {
                db.Add(new AlertRuleRow { Id = "rule-org", TenantId = t, Body = Rule("rule-org", null), Enabled = true, CreatedAt = now, UpdatedAt = now });
            }

            db.Add(new AlertRow
            {
                Id = "alert-" + s, TenantId = t, StoreId = s, RuleId = "rule-" + s, RuleName = "Quiet", Kind = "NoOrders", Status = "Firing", FiredAt = now,
                Message = "Quiet", Figures = "{}",
            });
            db.Add(new AlertPauseRow { TenantId = t, StoreId = s, Until = now.AddDays(1), CreatedAt = now });
            db.Add(new GoalRow
            {
                Id = "goal-" + s, TenantId = t, CreatedAt = now,
                Body = JsonSerializer.Serialize(new Goal("goal-" + s, t, s, "Revenue", GoalMetric.Revenue, 1000m, GoalPeriod.Day, null, null, PaceMethod.Linear, false, WebAppFactory.Now), Documents),
            });
            db.Add(new ImportJobRow
            {
                Id = "import-" + s, TenantId = t, StoreId = s, Format = "generic", FileName = "orders.csv", Settings = "{}", Status = "Completed", Errors = "[]", QueuedAt = now,
            });
            db.Add(new ImportChunkRow { JobId = "import-" + s, Seq = 0, Data = [1, 2, 3] });
            db.Add(new ShopifyInstallationRow { TenantId = t, StoreId = s, ShopDomain = store.ShopDomain, Scopes = "read_orders", InstalledAt = now });
            db.Add(new WarehouseWatermarkRow { TenantId = t, StoreId = s, Table = "orders", CursorAt = now, CursorId = "1" });
            db.Add(new RecommendationStatusRow { TenantId = t, StoreId = s, Key = "ProductReturns:x", Status = "done", MarkedAt = now });
            db.PreviousWebhookSecrets.Add(new PreviousWebhookSecret { TenantId = t, StoreId = s, ProtectedSecret = "x", AcceptedUntil = WebAppFactory.Now.AddDays(1) });
            await db.SaveChangesAsync(Ct);
        }

        var reports = app.Services.GetRequiredService<IReportStore>();
        var existing = await reports.ListAsync(t, Ct);
        if (!existing.Any(r => r.Name == "Both"))
        {
            await reports.SaveAsync(Report("report-both", "Both", ["doomed", "kept"]), Ct);
            await reports.SaveAsync(Report("report-doomed", "Doomed only", ["doomed"]), Ct);
        }
    }

    // As the alert and goal stores write their documents, so the jobs that read them take the seeded ones.
    private static readonly JsonSerializerOptions Documents = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static string Rule(string id, string? storeId) => JsonSerializer.Serialize(
        new Engine.Alerts.AlertRule { Id = id, TenantId = "lc", StoreId = storeId, Name = "Quiet", Kind = Engine.Alerts.AlertRuleKind.Threshold, Threshold = 1m, Enabled = false },
        Documents);

    private static ReportDefinition Report(string id, string name, IReadOnlyList<string> stores) =>
        new(id, "lc", name, stores, ReportPeriod.Custom, new TimeOnly(8, 0), "Europe/London", ["ann@example.com"], new ReportSections(), true,
            WebAppFactory.Now, WebAppFactory.Now, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2));

    /// <summary>Rows naming the store, per app table: every table keyed by a store (found in the model), and the JSON documents.</summary>
    private static async Task<Dictionary<string, long>> AppRowsAsync(SalesDashHost app, TestStore store)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (table, tenant, storeColumn) in StoreLifecycle.StoreTables(db.Model))
        {
            var connection = db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await connection.OpenAsync(Ct);
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {tenant} = '{store.TenantId}' AND {storeColumn} = '{store.StoreId}'";
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        var jobIds = await db.Set<ImportJobRow>().Where(j => j.TenantId == store.TenantId && j.StoreId == store.StoreId).Select(j => j.Id).ToListAsync(Ct);
        counts["ImportChunks (of its jobs)"] = await db.Set<ImportChunkRow>().CountAsync(c => jobIds.Contains(c.JobId) || c.JobId == "import-" + store.StoreId, Ct);
        counts["AlertRules (naming it)"] = (await db.Set<AlertRuleRow>().Where(r => r.TenantId == store.TenantId).Select(r => r.Body).ToListAsync(Ct))
            .Count(b => StoreLifecycle.NamesStore(b, store.StoreId));
        counts["Goals (naming it)"] = (await db.Set<GoalRow>().Where(g => g.TenantId == store.TenantId).Select(g => g.Body).ToListAsync(Ct))
            .Count(b => StoreLifecycle.NamesStore(b, store.StoreId));
        return counts;
    }

    /// <summary>A journal database of its own on the PostgreSQL server the test scripts run.</summary>
    private sealed class JournalDatabase : IAsyncDisposable
    {
        private readonly string _server;
        private readonly string _name;

        private JournalDatabase(string server, string name)
        {
            _server = server;
            _name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        }

        public string ConnectionString { get; }

        public static async Task<JournalDatabase> CreateAsync(CancellationToken ct)
        {
            var server = Environment.GetEnvironmentVariable(TestAppDatabase.PostgresVariable);
            Assert.False(string.IsNullOrWhiteSpace(server), "SALESDASH_POSTGRES is not set: run scripts/services/postgres.sh and export its last line.");
            var name = $"salesdash_lifecycle_{Guid.NewGuid():N}";
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(ct);
            return new JournalDatabase(server!, name);
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
