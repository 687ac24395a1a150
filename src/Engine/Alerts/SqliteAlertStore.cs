using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;

namespace SalesDash.Engine.Alerts;

/// <summary>
/// Alert rules and alerts in the embedded app.db. A rule is one JSON column (read and written whole); an alert keeps its
/// lifecycle in columns, so acknowledging and resolving are single-row updates that cannot undo each other.
/// </summary>
public sealed class SqliteAlertStore : IAlertRuleStore, IAlertStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS alert_rules (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            body TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alert_rules_by_tenant ON alert_rules (tenant_id);
        CREATE TABLE IF NOT EXISTS alerts (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            rule_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            fired_at TEXT NOT NULL,
            acknowledged_at TEXT NULL,
            acknowledged_by TEXT NULL,
            resolved_at TEXT NULL,
            message TEXT NOT NULL,
            figures TEXT NOT NULL,
            resolved_figures TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS alerts_by_tenant ON alerts (tenant_id, fired_at);
        CREATE INDEX IF NOT EXISTS alerts_open_by_store ON alerts (tenant_id, store_id, status);
        """;

    private const string AlertColumns =
        "id, tenant_id, store_id, rule_id, rule_name, kind, status, fired_at, acknowledged_at, acknowledged_by, resolved_at, message, figures, resolved_figures";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly SqliteSchemaConnections _connections;
    private readonly TimeProvider _clock;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. "Data Source=/data/app.db".</param>
    /// <param name="clock">Stamps rule times and acknowledgements.</param>
    public SqliteAlertStore(string connectionString, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(clock);
        _connections = new SqliteSchemaConnections(connectionString, Schema);
        _clock = clock;
    }

    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(string tenantId, CancellationToken cancellationToken) =>
        await QueryRulesAsync("SELECT body FROM alert_rules WHERE tenant_id = $tenant ORDER BY created_at, id",
            p => p.AddWithValue("$tenant", tenantId), cancellationToken);

    public async Task<IReadOnlyList<AlertRule>> ListEnabledRulesAsync(CancellationToken cancellationToken) =>
        await QueryRulesAsync("SELECT body FROM alert_rules WHERE enabled = 1 ORDER BY tenant_id, created_at, id", _ => { }, cancellationToken);

    public async Task<AlertRule?> GetRuleAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await QueryRulesAsync("SELECT body FROM alert_rules WHERE tenant_id = $tenant AND id = $id", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$id", id);
        }, cancellationToken)).SingleOrDefault();

    public async Task<AlertRule> CreateRuleAsync(string tenantId, AlertRuleInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = _clock.GetUtcNow();
        var rule = FromInput(Guid.CreateVersion7(now).ToString("N"), tenantId, input, now, now);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO alert_rules (id, tenant_id, body, enabled, created_at, updated_at) VALUES ($id, $tenant, $body, $enabled, $created, $updated)";
        command.Parameters.AddWithValue("$id", rule.Id);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(rule, Json));
        command.Parameters.AddWithValue("$enabled", rule.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$created", Stamp(now));
        command.Parameters.AddWithValue("$updated", Stamp(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return rule;
    }

    public async Task<AlertRule?> UpdateRuleAsync(string tenantId, string id, AlertRuleInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await GetRuleAsync(tenantId, id, cancellationToken) is not { } existing)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var rule = FromInput(id, tenantId, input, existing.CreatedAt, now);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE alert_rules SET body = $body, enabled = $enabled, updated_at = $updated WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(rule, Json));
        command.Parameters.AddWithValue("$enabled", rule.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$updated", Stamp(now));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 0 ? null : rule;
    }

    public async Task<bool> DeleteRuleAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM alert_rules WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task SaveAlertAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // A resolution from the evaluator must not wipe an acknowledgement it never saw, nor a late "firing" undo either.
        command.CommandText = $"""
            INSERT INTO alerts ({AlertColumns})
            VALUES ($id, $tenant, $store, $rule, $ruleName, $kind, $status, $fired, $acked, $ackedBy, $resolved, $message, $figures, $resolvedFigures)
            ON CONFLICT (id) DO UPDATE SET
                status = CASE WHEN excluded.status = 'Resolved' OR alerts.status = 'Resolved' THEN 'Resolved' ELSE alerts.status END,
                acknowledged_at = COALESCE(alerts.acknowledged_at, excluded.acknowledged_at),
                acknowledged_by = COALESCE(alerts.acknowledged_by, excluded.acknowledged_by),
                resolved_at = COALESCE(alerts.resolved_at, excluded.resolved_at),
                resolved_figures = COALESCE(alerts.resolved_figures, excluded.resolved_figures)
            """;
        command.Parameters.AddWithValue("$id", alert.Id);
        command.Parameters.AddWithValue("$tenant", alert.TenantId);
        command.Parameters.AddWithValue("$store", alert.StoreId);
        command.Parameters.AddWithValue("$rule", alert.RuleId);
        command.Parameters.AddWithValue("$ruleName", alert.RuleName);
        command.Parameters.AddWithValue("$kind", alert.Kind.ToString());
        command.Parameters.AddWithValue("$status", alert.Status.ToString());
        command.Parameters.AddWithValue("$fired", Stamp(alert.FiredAt));
        command.Parameters.AddWithValue("$acked", (object?)StampOrNull(alert.AcknowledgedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$ackedBy", (object?)alert.AcknowledgedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$resolved", (object?)StampOrNull(alert.ResolvedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$message", alert.Message);
        command.Parameters.AddWithValue("$figures", JsonSerializer.Serialize(alert.Figures, Json));
        command.Parameters.AddWithValue("$resolvedFigures", alert.ResolvedFigures is null ? DBNull.Value : JsonSerializer.Serialize(alert.ResolvedFigures, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Alert?> GetAlertAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await QueryAlertsAsync($"SELECT {AlertColumns} FROM alerts WHERE tenant_id = $tenant AND id = $id", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$id", id);
        }, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<Alert>> ListAlertsAsync(string tenantId, AlertStatus? status, string? storeId, int limit, CancellationToken cancellationToken) =>
        await QueryAlertsAsync(
            $"""
            SELECT {AlertColumns} FROM alerts
            WHERE tenant_id = $tenant AND ($status IS NULL OR status = $status) AND ($store IS NULL OR store_id = $store)
            ORDER BY fired_at DESC, id DESC LIMIT $limit
            """,
            p =>
            {
                p.AddWithValue("$tenant", tenantId);
                p.AddWithValue("$status", (object?)status?.ToString() ?? DBNull.Value);
                p.AddWithValue("$store", (object?)storeId ?? DBNull.Value);
                p.AddWithValue("$limit", limit);
            },
            cancellationToken);

    public async Task<IReadOnlyList<Alert>> OpenAlertsAsync(string tenantId, string storeId, CancellationToken cancellationToken) =>
        await QueryAlertsAsync($"SELECT {AlertColumns} FROM alerts WHERE tenant_id = $tenant AND store_id = $store AND status <> 'Resolved' ORDER BY fired_at", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$store", storeId);
        }, cancellationToken);

    public async Task<Alert?> AcknowledgeAsync(string tenantId, string id, string? by, CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                UPDATE alerts SET status = 'Acknowledged', acknowledged_at = $now, acknowledged_by = $by
                WHERE tenant_id = $tenant AND id = $id AND status = 'Firing'
                """;
            command.Parameters.AddWithValue("$tenant", tenantId);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", Stamp(_clock.GetUtcNow()));
            command.Parameters.AddWithValue("$by", (object?)by ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return await GetAlertAsync(tenantId, id, cancellationToken);
    }

    private static AlertRule FromInput(string id, string tenantId, AlertRuleInput input, DateTimeOffset created, DateTimeOffset updated) => new()
    {
        Id = id,
        TenantId = tenantId,
        StoreId = string.IsNullOrWhiteSpace(input.StoreId) ? null : input.StoreId.Trim(),
        Name = input.Name.Trim(),
        Kind = input.Kind,
        Metric = input.Kind == AlertRuleKind.NoOrders ? AlertMetric.Orders : input.Metric,
        Channel = input.Channel,
        Direction = input.Direction,
        Threshold = input.Threshold,
        WindowMinutes = input.WindowMinutes,
        Comparison = input.Comparison,
        MinimumSeverity = input.MinimumSeverity,
        Frequency = input.Frequency ?? TimeSpan.FromHours(1),
        Recipients = [.. (input.Recipients ?? []).Select(r => r.Trim())],
        WebhookUrl = string.IsNullOrWhiteSpace(input.WebhookUrl) ? null : input.WebhookUrl.Trim(),
        InApp = input.InApp,
        QuietHours = input.QuietHours,
        CustomMetric = input.Kind is AlertRuleKind.Threshold or AlertRuleKind.PercentChange ? input.CustomMetric : null,
        Enabled = input.Enabled,
        CreatedAt = created,
        UpdatedAt = updated,
    };

    private async Task<IReadOnlyList<AlertRule>> QueryRulesAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rules = new List<AlertRule>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rules.Add(JsonSerializer.Deserialize<AlertRule>(reader.GetString(0), Json)!);
        }

        return rules;
    }

    private async Task<IReadOnlyList<Alert>> QueryAlertsAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var alerts = new List<Alert>();
        while (await reader.ReadAsync(cancellationToken))
        {
            alerts.Add(new Alert
            {
                Id = reader.GetString(0),
                TenantId = reader.GetString(1),
                StoreId = reader.GetString(2),
                RuleId = reader.GetString(3),
                RuleName = reader.GetString(4),
                Kind = Enum.Parse<AlertRuleKind>(reader.GetString(5)),
                Status = Enum.Parse<AlertStatus>(reader.GetString(6)),
                FiredAt = ParseStamp(reader.GetString(7)),
                AcknowledgedAt = reader.IsDBNull(8) ? null : ParseStamp(reader.GetString(8)),
                AcknowledgedBy = reader.IsDBNull(9) ? null : reader.GetString(9),
                ResolvedAt = reader.IsDBNull(10) ? null : ParseStamp(reader.GetString(10)),
                Message = reader.GetString(11),
                Figures = JsonSerializer.Deserialize<AlertFigures>(reader.GetString(12), Json)!,
                ResolvedFigures = reader.IsDBNull(13) ? null : JsonSerializer.Deserialize<AlertFigures>(reader.GetString(13), Json),
            });
        }

        return alerts;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);

    // Fixed-width UTC stamps sort as text in time order, which the list's ORDER BY relies on.
    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? StampOrNull(DateTimeOffset? at) => at is { } a ? Stamp(a) : null;

    private static DateTimeOffset ParseStamp(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
