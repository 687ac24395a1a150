using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Metrics;
using SalesDash.Web.Plans;
using SalesDash.Web.Reports;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.AppData;

/// <summary>Every store of the app database, each behaviour checked on SQLite and on PostgreSQL.</summary>
public sealed class AppStoresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<AppDatabaseProvider> Providers => [AppDatabaseProvider.Sqlite, AppDatabaseProvider.PostgreSQL];

    private static StoreProfile Profile(string tenant, string storeId, string domain, string currency = "GBP") =>
        new(new StoreRef(tenant, storeId), $"Acme {storeId}", SalesChannel.Shopify, domain, currency, "Europe/London", $"secret-{storeId}");

    // Records with list members compare the lists by reference; their JSON says whether every value came back.
    private static void AssertSame<T>(T expected, T? actual) where T : class =>
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), System.Text.Json.JsonSerializer.Serialize(Assert.IsType<T>(actual)));

    [Theory, MemberData(nameof(Providers))]
    public async Task A_store_is_found_by_its_shop_domain_and_by_reference_and_listed_per_organisation(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var eu = Profile("acme", "eu", "acme-eu.myshopify.com");
        await new EfStoreDirectory(database.Databases).UpsertAsync(eu, Ct);
        await new EfStoreDirectory(database.Databases).UpsertAsync(Profile("acme", "us", "acme-us.myshopify.com", "USD"), Ct);
        await new EfStoreDirectory(database.Databases).UpsertAsync(Profile("globex", "de", "globex.myshopify.com", "EUR"), Ct);

        var directory = new EfStoreDirectory(database.Databases);

        Assert.Equal(eu, await directory.FindByShopDomainAsync(SalesChannel.Shopify, "ACME-EU.myshopify.com", Ct));
        Assert.Equal(eu, await directory.GetAsync(new StoreRef("acme", "eu"), Ct));
        Assert.Null(await directory.FindByShopDomainAsync(SalesChannel.WooCommerce, "acme-eu.myshopify.com", Ct));
        Assert.Null(await directory.GetAsync(new StoreRef("acme", "missing"), Ct));
        Assert.Equal(["eu", "us"], (await directory.ListAsync("acme", Ct)).Select(p => p.Store.StoreId));
        Assert.Equal(["de"], (await directory.ListAsync("globex", Ct)).Select(p => p.Store.StoreId));
        Assert.Empty(await directory.ListAsync("initech", Ct));
        Assert.Equal(["acme/eu", "acme/us", "globex/de"], (await directory.ListAsync(Ct)).Select(p => $"{p.Store.TenantId}/{p.Store.StoreId}"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Store_upsert_is_idempotent_replaces_the_profile_and_one_shop_domain_cannot_belong_to_two_stores(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var directory = new EfStoreDirectory(database.Databases);
        await directory.UpsertAsync(Profile("acme", "eu", "acme-eu.myshopify.com"), Ct);
        await directory.UpsertAsync(Profile("acme", "eu", "acme-eu.myshopify.com"), Ct);
        var changed = Profile("acme", "eu", "acme-europe.myshopify.com", "EUR") with { Name = "Acme Europe", TimeZone = "Europe/Paris" };
        await directory.UpsertAsync(changed, Ct);

        Assert.Equal(changed, Assert.Single(await directory.ListAsync(Ct)));
        Assert.Null(await directory.FindByShopDomainAsync(SalesChannel.Shopify, "acme-eu.myshopify.com", Ct));
        await Assert.ThrowsAsync<DbUpdateException>(() => directory.UpsertAsync(Profile("acme", "copy", "acme-europe.myshopify.com"), Ct));
        Assert.Equal(changed, Assert.Single(await directory.ListAsync(Ct)));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Dashboards_and_share_links_are_per_organisation_and_go_together(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var clock = new FakeTimeProvider(WebAppFactory.Now);
        var store = new EfDashboardStore(database.Databases, clock);
        var widget = new Widget("w1", "kpi", "Revenue", new WidgetSettings("revenue", "today", "none"));
        var board = await store.CreateAsync("acme", new DashboardInput(" sales ", [new LayoutItem("w1", 0, 0, 4, 2)], [widget]), Ct);
        await store.CreateAsync("acme", new DashboardInput("Ads", [], []), Ct);
        await store.CreateAsync("globex", new DashboardInput("Other", [], []), Ct);

        AssertSame(board, await store.GetAsync("acme", board.Id, Ct));
        Assert.Null(await store.GetAsync("globex", board.Id, Ct));
        Assert.Equal(["Ads", "sales"], (await store.ListAsync("acme", Ct)).Select(d => d.Name));
        clock.Advance(TimeSpan.FromMinutes(5));
        var renamed = await store.UpdateAsync("acme", board.Id, new DashboardInput("Sales", [], [widget]), Ct);
        Assert.Equal(("Sales", WebAppFactory.Now.AddMinutes(5)), (renamed!.Name, renamed.UpdatedAt));
        Assert.Null(await store.UpdateAsync("globex", board.Id, new DashboardInput("Stolen", [], []), Ct));

        var link = await store.CreateShareLinkAsync("acme", board.Id, null, Ct);
        Assert.Null(await store.CreateShareLinkAsync("globex", board.Id, null, Ct));

        var active = Assert.IsType<ShareResolution.Active>(await store.ResolveShareTokenAsync(link!.Token, Ct));
        Assert.Equal("Sales", active.Dashboard.Name);
        Assert.True(await store.RevokeShareLinkAsync("acme", board.Id, link.Id, Ct));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.RevokeShareLinkAsync("acme", board.Id, link.Id, Ct));
        var revoked = Assert.IsType<ShareResolution.Revoked>(await store.ResolveShareTokenAsync(link.Token, Ct));
        Assert.Equal(WebAppFactory.Now.AddMinutes(5), revoked.RevokedAt);
        Assert.False(await store.RevokeShareLinkAsync("acme", board.Id, "no-such-link", Ct));

        // A link with an expiry works until that instant and reads back as expired from then on, on either provider.
        var until = clock.GetUtcNow().AddMinutes(30);
        var timed = await store.CreateShareLinkAsync("acme", board.Id, until, Ct);
        Assert.Equal(until, timed!.ExpiresAt);
        Assert.Equal(until, Assert.IsType<ShareResolution.Active>(await store.ResolveShareTokenAsync(timed.Token, Ct)).ExpiresAt);
        Assert.Equal(until, (await store.ListShareLinksAsync("acme", board.Id, Ct))!.Single(l => l.Id == timed.Id).ExpiresAt);
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(until, Assert.IsType<ShareResolution.Expired>(await store.ResolveShareTokenAsync(timed.Token, Ct)).ExpiredAt);

        Assert.False(await store.DeleteAsync("globex", board.Id, Ct));
        Assert.True(await store.DeleteAsync("acme", board.Id, Ct));
        Assert.IsType<ShareResolution.Unknown>(await store.ResolveShareTokenAsync(link.Token, Ct));
        Assert.Null(await store.ListShareLinksAsync("acme", board.Id, Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Alert_rules_and_alerts_keep_acknowledgement_and_resolution_whatever_order_they_arrive_in(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var store = new EfAlertStore(database.Databases, new FakeTimeProvider(WebAppFactory.Now));
        var rule = await store.CreateRuleAsync("acme", new AlertRuleInput("Quiet shop", AlertRuleKind.NoOrders, Recipients: [" ops@acme.test "]), Ct);
        await store.CreateRuleAsync("acme", new AlertRuleInput("Off", AlertRuleKind.NoOrders, Enabled: false), Ct);
        AssertSame(rule, await store.GetRuleAsync("acme", rule.Id, Ct));
        Assert.Null(await store.GetRuleAsync("globex", rule.Id, Ct));
        Assert.Equal(["Quiet shop"], (await store.ListEnabledRulesAsync(Ct)).Select(r => r.Name));
        Assert.Equal(2, (await store.ListRulesAsync("acme", Ct)).Count);
        var updated = await store.UpdateRuleAsync("acme", rule.Id, new AlertRuleInput("Quiet", AlertRuleKind.NoOrders, Enabled: false), Ct);
        Assert.Equal((rule.CreatedAt, "Quiet"), (updated!.CreatedAt, updated.Name));
        Assert.Empty(await store.ListEnabledRulesAsync(Ct));

        var figures = new AlertFigures(AlertMetric.Orders, 0m, 12.5m, null, null, null, 30, WebAppFactory.Now, "GBP", AnomalySeverity.High);
        var firing = new Alert
        {
            Id = "a1", TenantId = "acme", StoreId = "uk", RuleId = rule.Id, RuleName = rule.Name, Kind = AlertRuleKind.NoOrders,
            Status = AlertStatus.Firing, FiredAt = WebAppFactory.Now, Message = "No orders for 30 minutes", Figures = figures,
        };
        await store.SaveAlertAsync(firing, Ct);
        var acknowledged = await store.AcknowledgeAsync("acme", "a1", "ops@acme.test", Ct);
        Assert.Equal((AlertStatus.Acknowledged, "ops@acme.test", (DateTimeOffset?)WebAppFactory.Now), (acknowledged!.Status, acknowledged.AcknowledgedBy, acknowledged.AcknowledgedAt));

        // The evaluator resolves an alert it still thinks is firing: the acknowledgement stays; a late "firing" undoes nothing.
        var resolvedAt = WebAppFactory.Now.AddMinutes(20);
        await store.SaveAlertAsync(firing with { Status = AlertStatus.Resolved, ResolvedAt = resolvedAt, ResolvedFigures = figures with { Observed = 3m } }, Ct);
        await store.SaveAlertAsync(firing, Ct);
        var final = await store.GetAlertAsync("acme", "a1", Ct);
        Assert.Equal((AlertStatus.Resolved, "ops@acme.test", (DateTimeOffset?)resolvedAt, 3m), (final!.Status, final.AcknowledgedBy, final.ResolvedAt, final.ResolvedFigures!.Observed));
        Assert.Equal(figures, final.Figures);

        await store.SaveAlertAsync(firing with { Id = "a2", StoreId = "us", FiredAt = WebAppFactory.Now.AddMinutes(1) }, Ct);
        await store.SaveAlertAsync(firing with { Id = "a3", FiredAt = WebAppFactory.Now.AddMinutes(2) }, Ct);
        Assert.Equal(["a3", "a2", "a1"], (await store.ListAlertsAsync("acme", null, null, 10, Ct)).Select(a => a.Id));
        Assert.Equal(["a3", "a2"], (await store.ListAlertsAsync("acme", AlertStatus.Firing, null, 10, Ct)).Select(a => a.Id));
        Assert.Equal(["a3"], (await store.ListAlertsAsync("acme", null, "uk", 1, Ct)).Select(a => a.Id));
        Assert.Equal(["a3"], (await store.OpenAlertsAsync("acme", "uk", Ct)).Select(a => a.Id));
        Assert.Empty(await store.ListAlertsAsync("globex", null, null, 10, Ct));
        Assert.True(await store.DeleteRuleAsync("acme", rule.Id, Ct));
        Assert.False(await store.DeleteRuleAsync("acme", rule.Id, Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Channel_connections_keep_credentials_encrypted_and_cursors_and_status_per_stream(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var store = new EfChannelConnectionStore(database.Databases, new EphemeralDataProtectionProvider());
        var uk = new StoreRef("acme", "uk");
        var connection = new ChannelConnection(uk, SalesChannel.Amazon, true, new Dictionary<string, string> { ["region"] = "eu" },
            new Dictionary<string, string> { ["refreshToken"] = "very-secret-token" }, TimeSpan.FromMinutes(10), WebAppFactory.Now);
        await store.UpsertAsync(connection, Ct);
        await store.UpsertAsync(connection with { Enabled = false }, Ct);
        await store.UpsertAsync(connection with { Store = new StoreRef("acme", "us") }, Ct);

        var read = await store.GetAsync(uk, SalesChannel.Amazon, Ct);
        Assert.Equal((false, "eu", "very-secret-token", TimeSpan.FromMinutes(10), WebAppFactory.Now),
            (read!.Enabled, read.Settings["region"], read.Credentials["refreshToken"], read.PollInterval, read.UpdatedAt));
        Assert.Single(await store.ListAsync(uk, Ct));
        Assert.Equal(2, (await store.ListAsync(null, Ct)).Count);
        await using (var db = await database.Databases.CreateDbContextAsync(Ct))
        {
            Assert.DoesNotContain("very-secret-token", (await db.Set<ChannelConnectionRow>().FirstAsync(Ct)).Credentials, StringComparison.Ordinal);
        }

        Assert.Equal(ChannelSyncStatus.Initial, await store.GetStatusAsync(uk, SalesChannel.Amazon, Ct));
        var status = new ChannelSyncStatus(SyncStates.Ok, WebAppFactory.Now, WebAppFactory.Now, null, 42, null, "42 orders");
        await store.SaveStatusAsync(uk, SalesChannel.Amazon, ChannelSyncStatus.Initial, Ct);
        await store.SaveStatusAsync(uk, SalesChannel.Amazon, status, Ct);
        Assert.Equal(status, await store.GetStatusAsync(uk, SalesChannel.Amazon, Ct));
        Assert.True(await store.DeleteAsync(uk, SalesChannel.Amazon, Ct));
        Assert.Null(await store.GetAsync(uk, SalesChannel.Amazon, Ct));
        Assert.Equal(ChannelSyncStatus.Initial, await store.GetStatusAsync(uk, SalesChannel.Amazon, Ct));
        Assert.False(await store.DeleteAsync(uk, SalesChannel.Amazon, Ct));

        var cursors = new EfCursorStore(database.Databases);
        Assert.Null(await cursors.LoadAsync(uk, "orders", Ct));
        await cursors.SaveAsync(uk, "orders", "{\"after\":1}", Ct);
        await cursors.SaveAsync(uk, "orders", "{\"after\":2}", Ct);
        await cursors.SaveAsync(uk, "refunds", "{\"after\":9}", Ct);
        Assert.Equal("{\"after\":2}", await cursors.LoadAsync(uk, "orders", Ct));
        Assert.Null(await cursors.LoadAsync(new StoreRef("acme", "us"), "orders", Ct));
        await cursors.DeleteAsync(uk, "orders", Ct);
        Assert.Null(await cursors.LoadAsync(uk, "orders", Ct));
        Assert.Equal("{\"after\":9}", await cursors.LoadAsync(uk, "refunds", Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Latest_exchange_rate_on_or_before_the_day_is_used_with_every_digit_and_the_inverse_is_derived(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var rates = new EfExchangeRates(database.Databases);
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 20), 0.8700m, "ECB reference rate"), Ct);
        await rates.UpsertAsync(new ExchangeRate("eur", "gbp", new DateOnly(2026, 11, 24), 0.9m, "first"), Ct);
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 24), 0.87654321987654321m, "ECB reference rate"), Ct);
        await rates.UpsertAsync(new ExchangeRate("GBP", "USD", new DateOnly(2026, 11, 24), 1.2500m, "ECB cross rate"), Ct);

        Assert.Equal(0.87654321987654321m, (await rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 25), Ct))!.Rate);
        Assert.Equal(0.87m, (await rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 21), Ct))!.Rate);
        Assert.Equal(0.8m, (await rates.FindAsync("USD", "GBP", new DateOnly(2026, 11, 25), Ct))!.Rate);
        Assert.Null(await rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 1), Ct));
        Assert.Equal(3, (await rates.ListAsync(Ct)).Count);
        await Assert.ThrowsAsync<ArgumentException>(() => rates.UpsertAsync(new ExchangeRate("EUR", "JPY", new DateOnly(2026, 11, 24), 0m, "bad"), Ct));

        var order = new OrderPlaced
        {
            Store = new StoreRef("acme", "uk"), Channel = SalesChannel.Amazon, EventId = "e1", OccurredAt = WebAppFactory.Now,
            StoreTimeZone = "Europe/London", Currency = "EUR", OrderId = "amazon:1", PlacedAt = WebAppFactory.Now,
            Version = WebAppFactory.Now, TotalPrice = 100m, Lines = [new OrderLine("sku", "Mug", 2, 50m)],
        };
        var converted = (OrderPlaced)await new CurrencyNormalizer(rates).NormalizeAsync(order with { Currency = "GBP" }, "GBP", "USD", Ct);
        Assert.Equal(new ReportingConversion("USD", 1.25m, new DateOnly(2026, 11, 24), "ECB cross rate"), converted.Reporting);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Audit_log_pages_newest_first_filters_by_actor_and_refuses_changes(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var log = new EfAuditLog(database.Databases);
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync(new AuditEntry(0, WebAppFactory.Now.AddMinutes(i), "acme", i % 2 == 0 ? "u-even" : "u-odd", i % 2 == 0 ? "Even@Acme.test" : "odd@acme.test",
                null, $"Action{i}", "POST", "/api/x", new Dictionary<string, string> { ["id"] = $"{i}" }, 200, "succeeded", null), Ct);
        }

        await log.AppendAsync(new AuditEntry(0, WebAppFactory.Now, "globex", "u-even", null, null, "Other", "POST", "/api/y", new Dictionary<string, string>(), 403, "refused", null), Ct);

        var first = await log.QueryAsync(new AuditQuery("acme", Limit: 3), Ct);
        var second = await log.QueryAsync(new AuditQuery("acme", Before: first.NextBefore, Limit: 3), Ct);
        Assert.Equal(["Action4", "Action3", "Action2"], first.Entries.Select(e => e.Action));
        Assert.Equal(["Action1", "Action0"], second.Entries.Select(e => e.Action));
        Assert.Null(second.NextBefore);
        Assert.Equal(("4", WebAppFactory.Now.AddMinutes(4)), (first.Entries[0].Target["id"], first.Entries[0].At));
        Assert.Equal(3, (await log.QueryAsync(new AuditQuery("acme", Actor: "even@ACME.test"), Ct)).Entries.Count);
        Assert.Equal(2, (await log.QueryAsync(new AuditQuery("acme", Actor: "u-odd"), Ct)).Entries.Count);
        Assert.Equal(["Action2", "Action1"], (await log.QueryAsync(new AuditQuery("acme", From: WebAppFactory.Now.AddMinutes(1), To: WebAppFactory.Now.AddMinutes(3)), Ct)).Entries.Select(e => e.Action));

        await using var db = await database.Databases.CreateDbContextAsync(Ct);
        foreach (var sql in new[] { "UPDATE \"AuditLog\" SET \"ActorUserId\" = 'someone-else'", "DELETE FROM \"AuditLog\"" })
        {
            var error = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync(sql, Ct));
            Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(6, await db.Set<AuditRow>().CountAsync(r => r.ActorUserId != "someone-else", Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Custom_metrics_plans_and_branding_are_kept_per_organisation(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var metrics = new EfCustomMetricStore(database.Databases, new FakeTimeProvider(WebAppFactory.Now));
        var aov = await metrics.CreateAsync("acme", "aov", "revenue / orders", MetricFormat.Currency, Ct);
        await metrics.CreateAsync("acme", "Basket", "units / orders", MetricFormat.Number, Ct);
        Assert.Equal(aov, await metrics.GetAsync("acme", aov.Id, Ct));
        Assert.Null(await metrics.GetAsync("globex", aov.Id, Ct));
        Assert.Equal(["aov", "Basket"], (await metrics.ListAsync("acme", Ct)).Select(m => m.Name));
        var renamed = await metrics.UpdateAsync("acme", aov.Id, "AOV", "revenue / orders", MetricFormat.Number, Ct);
        Assert.Equal(("AOV", MetricFormat.Number), (renamed!.Name, renamed.Format));
        Assert.Equal(renamed, await metrics.GetAsync("acme", aov.Id, Ct));
        Assert.Null(await metrics.UpdateAsync("globex", aov.Id, "x", "orders", MetricFormat.Number, Ct));
        Assert.False(await metrics.DeleteAsync("globex", aov.Id, Ct));
        Assert.True(await metrics.DeleteAsync("acme", aov.Id, Ct));
        Assert.Single(await metrics.ListAsync("acme", Ct));

        var plans = new EfPlanStore(database.Databases);
        Assert.Null(await plans.GetAsync("acme", Ct));
        await plans.SaveAsync(new StoredPlan("acme", PlanTier.Starter, WebAppFactory.Now, null), Ct);
        await plans.SaveAsync(new StoredPlan("acme", PlanTier.Growth, WebAppFactory.Now.AddDays(1), "owner-1"), Ct);
        Assert.Equal(new StoredPlan("acme", PlanTier.Growth, WebAppFactory.Now.AddDays(1), "owner-1"), await plans.GetAsync("acme", Ct));
        Assert.Null(await plans.GetAsync("globex", Ct));

        var branding = new EfBrandingStore(database.Databases);
        var own = new Branding("Acme Live", "#112233", "#445566", null);
        await branding.SaveAsync("acme", own with { ProductName = "Old" }, WebAppFactory.Now, Ct);
        await branding.SaveAsync("acme", own, WebAppFactory.Now, Ct);
        Assert.Equal(own, await branding.GetAsync("acme", Ct));
        Assert.Null(await branding.GetAsync("globex", Ct));
        Assert.True(await branding.DeleteAsync("acme", Ct));
        Assert.False(await branding.DeleteAsync("acme", Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reports_and_their_sends_keep_the_pdf_and_go_together(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var store = new EfReportStore(database.Databases);
        var report = new ReportDefinition("r1", "acme", "weekly", ["uk"], ReportPeriod.Weekly, new TimeOnly(8, 0), "Europe/London", ["boss@acme.test"],
            new ReportSections(), true, WebAppFactory.Now, WebAppFactory.Now);
        await store.SaveAsync(report, Ct);
        await store.SaveAsync(report with { Id = "r2", Name = "Daily", Enabled = false }, Ct);
        await store.SaveAsync(report with { Id = "r3", TenantId = "globex" }, Ct);
        Assert.Equal(["Daily", "weekly"], (await store.ListAsync("acme", Ct)).Select(r => r.Name));
        Assert.Equal(["r1", "r3"], (await store.ListEnabledAsync(Ct)).Select(r => r.Id));
        Assert.Null(await store.GetAsync("globex", "r1", Ct));
        Assert.Equal("weekly", (await store.GetAsync("acme", "r1", Ct))!.Name);

        var send = new ReportSend("s1", "r1", "acme", "schedule", WebAppFactory.Now, null, new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22),
            ["boss@acme.test"], ReportSendStatus.Failed, "SMTP down", 1, 3, WebAppFactory.Now.AddMinutes(5));
        await store.SaveSendAsync(send, [1, 2, 3], Ct);
        await store.SaveSendAsync(send with { Id = "s2", StartedAt = WebAppFactory.Now.AddMinutes(1), Status = ReportSendStatus.Sent, NextAttemptAt = null }, null, Ct);
        Assert.Equal(["s1"], (await store.ListRetriesAsync(Ct)).Select(s => s.Id));
        await store.SaveSendAsync(send with { Status = ReportSendStatus.Sent, Attempts = 2, NextAttemptAt = null }, null, Ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.GetPdfAsync("acme", "s1", Ct));
        Assert.Null(await store.GetPdfAsync("globex", "s1", Ct));
        Assert.Equal(2, (await store.GetSendAsync("acme", "s1", Ct))!.Attempts);
        Assert.Empty(await store.ListRetriesAsync(Ct));
        Assert.Equal(["s2"], (await store.ListSendsAsync("acme", "r1", 1, Ct)).Select(s => s.Id));

        Assert.False(await store.DeleteAsync("globex", "r1", Ct));
        Assert.True(await store.DeleteAsync("acme", "r1", Ct));
        Assert.Null(await store.GetSendAsync("acme", "s1", Ct));
        Assert.Equal(["r3"], (await store.ListEnabledAsync(Ct)).Select(r => r.Id));
    }
}
