using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>
/// Copies the rows of an earlier version's hand-written SQLite files (app.db, channels.db, audit.db in
/// Engine:DataDirectory) into the app database, once: each file's copy and the row that marks it done are one
/// transaction, so a crash copies it again from the start and a finished copy never runs twice. A row whose key the
/// app database already holds is kept as it is there (it is newer). The old files are left untouched.
/// </summary>
public static class LegacyDataImport
{
    public static readonly string[] Files = ["app.db", "channels.db", "audit.db"];

    /// <returns>Rows copied, per file copied now.</returns>
    public static async Task<IReadOnlyDictionary<string, int>> ImportAsync(AppIdentityDbContext db, string dataDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var copied = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            var path = Path.Combine(dataDirectory, file);
            if (!File.Exists(path) || await db.Set<LegacyImportRow>().AnyAsync(r => r.Source == file, cancellationToken))
            {
                continue;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await using var legacy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await legacy.OpenAsync(cancellationToken);
            var rows = 0;
            foreach (var table in await TablesAsync(legacy, cancellationToken))
            {
                rows += table switch
                {
                    "stores" => await CopyAsync(db, legacy, "SELECT tenant_id, store_id, name, channel, shop_domain, currency, time_zone, webhook_secret FROM stores", r => new StoreRow
                    {
                        TenantId = r.GetString(0), StoreId = r.GetString(1), Name = r.GetString(2), Channel = r.GetString(3), ShopDomain = r.GetString(4),
                        Currency = r.GetString(5), TimeZone = r.GetString(6), WebhookSecret = r.GetString(7),
                    }, s => [s.TenantId, s.StoreId], cancellationToken),
                    "dashboards" => await CopyAsync(db, legacy, "SELECT id, tenant_id, name, layout, widgets, created_at, updated_at FROM dashboards", r => new DashboardRow
                    {
                        Id = r.GetString(0), TenantId = r.GetString(1), Name = r.GetString(2), Layout = r.GetString(3), Widgets = r.GetString(4),
                        CreatedAt = Time(r, 5)!.Value, UpdatedAt = Time(r, 6)!.Value,
                    }, d => [d.Id], cancellationToken),
                    "share_links" => await CopyAsync(db, legacy, "SELECT id, token_hash, dashboard_id, created_at, revoked_at FROM share_links", r => new ShareLinkRow
                    {
                        Id = r.GetString(0), TokenHash = r.GetString(1), DashboardId = r.GetString(2), CreatedAt = Time(r, 3)!.Value, RevokedAt = Time(r, 4),
                    }, l => [l.Id], cancellationToken),
                    "alert_rules" => await CopyAsync(db, legacy, "SELECT id, tenant_id, body, enabled, created_at, updated_at FROM alert_rules", r => new AlertRuleRow
                    {
                        Id = r.GetString(0), TenantId = r.GetString(1), Body = r.GetString(2), Enabled = r.GetInt64(3) != 0, CreatedAt = Time(r, 4)!.Value, UpdatedAt = Time(r, 5)!.Value,
                    }, x => [x.Id], cancellationToken),
                    "alerts" => await CopyAsync(db, legacy,
                        "SELECT id, tenant_id, store_id, rule_id, rule_name, kind, status, fired_at, acknowledged_at, acknowledged_by, resolved_at, message, figures, resolved_figures FROM alerts",
                        r => new AlertRow
                        {
                            Id = r.GetString(0), TenantId = r.GetString(1), StoreId = r.GetString(2), RuleId = r.GetString(3), RuleName = r.GetString(4), Kind = r.GetString(5),
                            Status = r.GetString(6), FiredAt = Time(r, 7)!.Value, AcknowledgedAt = Time(r, 8), AcknowledgedBy = Text(r, 9), ResolvedAt = Time(r, 10),
                            Message = r.GetString(11), Figures = r.GetString(12), ResolvedFigures = Text(r, 13),
                        }, a => [a.Id], cancellationToken),
                    "custom_metrics" => await CopyAsync(db, legacy, "SELECT id, tenant_id, name, formula, format, created_at, updated_at FROM custom_metrics", r => new CustomMetricRow
                    {
                        Id = r.GetString(0), TenantId = r.GetString(1), Name = r.GetString(2), Formula = r.GetString(3), Format = r.GetString(4),
                        CreatedAt = Time(r, 5)!.Value, UpdatedAt = Time(r, 6)!.Value,
                    }, m => [m.Id], cancellationToken),
                    "organisation_branding" => await CopyAsync(db, legacy,
                        "SELECT tenant_id, product_name, primary_colour, accent_colour, logo, updated_at FROM organisation_branding", r => new OrganisationBrandingRow
                        {
                            TenantId = r.GetString(0), ProductName = r.GetString(1), PrimaryColour = r.GetString(2), AccentColour = r.GetString(3), Logo = Text(r, 4),
                            UpdatedAt = Time(r, 5)!.Value,
                        }, b => [b.TenantId], cancellationToken),
                    "organisation_plans" => await CopyAsync(db, legacy, "SELECT tenant_id, tier, updated_at, updated_by FROM organisation_plans", r => new OrganisationPlanRow
                    {
                        TenantId = r.GetString(0), Tier = r.GetString(1), UpdatedAt = Time(r, 2)!.Value, UpdatedBy = Text(r, 3),
                    }, p => [p.TenantId], cancellationToken),
                    "reports" => await CopyAsync(db, legacy, "SELECT id, tenant_id, name, enabled, body FROM reports", r => new ReportRow
                    {
                        Id = r.GetString(0), TenantId = r.GetString(1), Name = r.GetString(2), Enabled = r.GetInt64(3) != 0, Body = r.GetString(4),
                    }, x => [x.Id], cancellationToken),
                    "report_sends" => await CopyAsync(db, legacy,
                        "SELECT id, report_id, tenant_id, started_at, status, next_attempt_at, body, pdf FROM report_sends", r => new ReportSendRow
                        {
                            Id = r.GetString(0), ReportId = r.GetString(1), TenantId = r.GetString(2), StartedAt = Time(r, 3)!.Value, Status = r.GetString(4),
                            NextAttemptAt = Time(r, 5), Body = r.GetString(6), Pdf = r.IsDBNull(7) ? null : (byte[])r.GetValue(7),
                        }, s => [s.Id], cancellationToken),
                    "channel_connections" => await CopyAsync(db, legacy,
                        "SELECT tenant_id, store_id, channel, enabled, settings, credentials, poll_interval_seconds, updated_at FROM channel_connections", r => new ChannelConnectionRow
                        {
                            TenantId = r.GetString(0), StoreId = r.GetString(1), Channel = r.GetString(2), Enabled = r.GetInt64(3) != 0, Settings = r.GetString(4),
                            // Still Data Protection ciphertext: the key ring it needs is in the app database (see IdentitySeeder).
                            Credentials = r.GetString(5), PollIntervalSeconds = r.GetInt64(6), UpdatedAt = Time(r, 7)!.Value,
                        }, c => [c.TenantId, c.StoreId, c.Channel], cancellationToken),
                    "channel_sync_status" => await CopyAsync(db, legacy, "SELECT tenant_id, store_id, channel, status FROM channel_sync_status", r => new ChannelSyncStatusRow
                    {
                        TenantId = r.GetString(0), StoreId = r.GetString(1), Channel = r.GetString(2), Status = r.GetString(3),
                    }, c => [c.TenantId, c.StoreId, c.Channel], cancellationToken),
                    "poll_cursors" => await CopyAsync(db, legacy, "SELECT tenant_id, store_id, stream, cursor FROM poll_cursors", r => new PollCursorRow
                    {
                        TenantId = r.GetString(0), StoreId = r.GetString(1), Stream = r.GetString(2), Cursor = r.GetString(3),
                    }, c => [c.TenantId, c.StoreId, c.Stream], cancellationToken),
                    "exchange_rates" => await CopyAsync(db, legacy, "SELECT from_currency, to_currency, rate_date, rate, source FROM exchange_rates", r => new ExchangeRateRow
                    {
                        FromCurrency = r.GetString(0), ToCurrency = r.GetString(1),
                        RateDate = DateOnly.ParseExact(r.GetString(2), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                        Rate = decimal.Parse(r.GetString(3), NumberStyles.Number, CultureInfo.InvariantCulture), Source = r.GetString(4),
                    }, x => [x.FromCurrency, x.ToCurrency, x.RateDate], cancellationToken),
                    "audit_log" => await CopyAuditAsync(db, legacy, cancellationToken),
                    _ => 0,
                };
            }

            db.Set<LegacyImportRow>().Add(new LegacyImportRow { Source = file, ImportedAt = StoredTime.From(time.GetUtcNow()), Rows = rows });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            copied[file] = rows;
        }

        return copied;
    }

    private static async Task<List<string>> TablesAsync(SqliteConnection legacy, CancellationToken cancellationToken)
    {
        await using var command = legacy.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<int> CopyAsync<T>(
        AppIdentityDbContext db, SqliteConnection legacy, string sql, Func<SqliteDataReader, T> read, Func<T, object[]> key, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = legacy.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var copied = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = read(reader);
            if (await db.Set<T>().FindAsync(key(row), cancellationToken) is not null)
            {
                continue;
            }

            db.Set<T>().Add(row);
            copied++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return copied;
    }

    /// <summary>
    /// Entries keep their ids (paging walks back by id) when the log is still empty; into a log that already has
    /// entries they are appended with new ids, in their old order.
    /// </summary>
    private static async Task<int> CopyAuditAsync(AppIdentityDbContext db, SqliteConnection legacy, CancellationToken cancellationToken)
    {
        var keepIds = !await db.Set<AuditRow>().AnyAsync(cancellationToken);
        await using var command = legacy.CreateCommand();
        command.CommandText = "SELECT id, at, tenant_id, actor_user_id, actor_email, api_key_id, action, method, path, target, status, outcome, summary FROM audit_log ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var copied = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            db.Set<AuditRow>().Add(new AuditRow
            {
                Id = keepIds ? reader.GetInt64(0) : 0,
                At = Time(reader, 1)!.Value,
                TenantId = Text(reader, 2),
                ActorUserId = Text(reader, 3),
                ActorEmail = Text(reader, 4),
                ApiKeyId = Text(reader, 5),
                Action = reader.GetString(6),
                Method = reader.GetString(7),
                Path = reader.GetString(8),
                Target = reader.GetString(9),
                Status = reader.GetInt32(10),
                Outcome = reader.GetString(11),
                Summary = Text(reader, 12),
            });
            copied++;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (keepIds && copied > 0 && db.Database.IsNpgsql())
        {
            // Explicit ids do not move PostgreSQL's identity sequence; the next entry must come after the copied ones.
            await db.Database.ExecuteSqlRawAsync(
                "SELECT setval(pg_get_serial_sequence('\"AuditLog\"', 'Id'), (SELECT MAX(\"Id\") FROM \"AuditLog\"))", cancellationToken);
        }

        return copied;
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // The old stores wrote ISO 8601 in UTC, with or without a 'Z' or an offset; all read as the same instant.
    private static DateTime? Time(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal)
        ? null
        : StoredTime.From(DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
}
