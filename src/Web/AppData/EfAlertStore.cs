using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using SalesDash.Engine.Alerts;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>
/// Alert rules and alerts in the app database. A rule is one JSON column (read and written whole); an alert keeps its
/// lifecycle in columns, so acknowledging and resolving are single-statement updates that cannot undo each other.
/// </summary>
public sealed class EfAlertStore(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider clock) : IAlertRuleStore, IAlertStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly string Resolved = AlertStatus.Resolved.ToString();
    private static readonly string Firing = AlertStatus.Firing.ToString();
    private static readonly string Acknowledged = AlertStatus.Acknowledged.ToString();

    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var bodies = await db.Set<AlertRuleRow>().AsNoTracking().Where(r => r.TenantId == tenantId)
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Select(r => r.Body).ToListAsync(cancellationToken);
        return await WithTradingHoursAsync(db, [.. bodies.Select(ReadRule)], cancellationToken);
    }

    /// <summary>Each trading-hours rule with its store's hours as they are now, so a change of hours needs no change of rule.</summary>
    private static async Task<IReadOnlyList<AlertRule>> WithTradingHoursAsync(AppIdentityDbContext db, IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken)
    {
        if (!rules.Any(r => r.DuringTradingHours))
        {
            return rules;
        }

        var tenants = rules.Where(r => r.DuringTradingHours).Select(r => r.TenantId).Distinct().ToList();
        var rows = await db.Set<Alerts.StoreTradingHoursRow>().AsNoTracking().Where(h => tenants.Contains(h.TenantId)).ToListAsync(cancellationToken);
        var hours = rows.ToDictionary(h => (h.TenantId, h.StoreId), Alerts.StoreTradingHours.ToHours);
        return [.. rules.Select(r => r.DuringTradingHours
            ? r with { TradingHours = r.StoreId is { } s && hours.TryGetValue((r.TenantId, s), out var h) ? h : TradingHours.Default }
            : r)];
    }

    public async Task<IReadOnlyList<AlertRule>> ListEnabledRulesAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var bodies = await db.Set<AlertRuleRow>().AsNoTracking().Where(r => r.Enabled)
            .OrderBy(r => r.TenantId).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id).Select(r => r.Body).ToListAsync(cancellationToken);
        return await WithTradingHoursAsync(db, [.. bodies.Select(ReadRule)], cancellationToken);
    }

    public async Task<AlertRule?> GetRuleAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var body = await db.Set<AlertRuleRow>().AsNoTracking().Where(r => r.TenantId == tenantId && r.Id == id).Select(r => r.Body).SingleOrDefaultAsync(cancellationToken);
        return body is null ? null : (await WithTradingHoursAsync(db, [ReadRule(body)], cancellationToken))[0];
    }

    public async Task<AlertRule> CreateRuleAsync(string tenantId, AlertRuleInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = StoredTime.Truncate(clock.GetUtcNow());
        var rule = FromInput(Guid.CreateVersion7(now).ToString("N"), tenantId, input, now, now);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Set<AlertRuleRow>().Add(new AlertRuleRow
        {
            Id = rule.Id, TenantId = tenantId, Body = JsonSerializer.Serialize(rule, Json), Enabled = rule.Enabled,
            CreatedAt = StoredTime.From(now), UpdatedAt = StoredTime.From(now),
        });
        await db.SaveChangesAsync(cancellationToken);
        return rule;
    }

    public async Task<AlertRule?> UpdateRuleAsync(string tenantId, string id, AlertRuleInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<AlertRuleRow>().SingleOrDefaultAsync(r => r.TenantId == tenantId && r.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var now = StoredTime.Truncate(clock.GetUtcNow());
        var rule = FromInput(id, tenantId, input, ReadRule(row.Body).CreatedAt, now);
        row.Body = JsonSerializer.Serialize(rule, Json);
        row.Enabled = rule.Enabled;
        row.UpdatedAt = StoredTime.From(now);
        await db.SaveChangesAsync(cancellationToken);
        return rule;
    }

    public async Task<bool> DeleteRuleAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<AlertRuleRow>().Where(r => r.TenantId == tenantId && r.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task SaveAlertAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var figures = JsonSerializer.Serialize(alert.Figures, Json);
        var resolvedFigures = alert.ResolvedFigures is null ? null : JsonSerializer.Serialize(alert.ResolvedFigures, Json);
        var kind = alert.Kind.ToString();
        var status = alert.Status.ToString();
        var firedAt = StoredTime.From(alert.FiredAt);
        var acknowledgedAt = StoredTime.From(alert.AcknowledgedAt);
        var resolvedAt = StoredTime.From(alert.ResolvedAt);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        // One statement (the same SQL on SQLite and PostgreSQL): a resolution from the evaluator must not wipe an
        // acknowledgement it never saw, nor a late "firing" undo a resolution.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Alerts" ("Id", "TenantId", "StoreId", "RuleId", "RuleName", "Kind", "Status", "FiredAt", "AcknowledgedAt", "AcknowledgedBy",
                "ResolvedAt", "Message", "Figures", "ResolvedFigures")
            VALUES ({alert.Id}, {alert.TenantId}, {alert.StoreId}, {alert.RuleId}, {alert.RuleName}, {kind}, {status}, {firedAt}, {acknowledgedAt},
                {alert.AcknowledgedBy}, {resolvedAt}, {alert.Message}, {figures}, {resolvedFigures})
            ON CONFLICT ("Id") DO UPDATE SET
                "Status" = CASE WHEN excluded."Status" = {Resolved} OR "Alerts"."Status" = {Resolved} THEN {Resolved} ELSE "Alerts"."Status" END,
                "AcknowledgedAt" = COALESCE("Alerts"."AcknowledgedAt", excluded."AcknowledgedAt"),
                "AcknowledgedBy" = COALESCE("Alerts"."AcknowledgedBy", excluded."AcknowledgedBy"),
                "ResolvedAt" = COALESCE("Alerts"."ResolvedAt", excluded."ResolvedAt"),
                "ResolvedFigures" = COALESCE("Alerts"."ResolvedFigures", excluded."ResolvedFigures")
            """, cancellationToken);
    }

    public async Task<Alert?> GetAlertAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<AlertRow>().AsNoTracking().SingleOrDefaultAsync(a => a.TenantId == tenantId && a.Id == id, cancellationToken);
        return row is null ? null : ToAlert(row);
    }

    public async Task<IReadOnlyList<Alert>> ListAlertsAsync(string tenantId, AlertStatus? status, string? storeId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.Set<AlertRow>().AsNoTracking().Where(a => a.TenantId == tenantId);
        if (status is { } wanted)
        {
            var text = wanted.ToString();
            query = query.Where(a => a.Status == text);
        }

        if (storeId is not null)
        {
            query = query.Where(a => a.StoreId == storeId);
        }

        var rows = await query.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(ToAlert)];
    }

    public async Task<IReadOnlyList<Alert>> OpenAlertsAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<AlertRow>().AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.StoreId == storeId && a.Status != Resolved)
            .OrderBy(a => a.FiredAt).ToListAsync(cancellationToken);
        return [.. rows.Select(ToAlert)];
    }

    public async Task<Alert?> AcknowledgeAsync(string tenantId, string id, string? by, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(clock.GetUtcNow());
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            // Only a firing alert changes; the WHERE makes it one atomic step against a resolution arriving at once.
            await db.Set<AlertRow>().Where(a => a.TenantId == tenantId && a.Id == id && a.Status == Firing)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Status, Acknowledged)
                    .SetProperty(a => a.AcknowledgedAt, now)
                    .SetProperty(a => a.AcknowledgedBy, by), cancellationToken);
        }

        return await GetAlertAsync(tenantId, id, cancellationToken);
    }

    private static AlertRule ReadRule(string body) => JsonSerializer.Deserialize<AlertRule>(body, Json)!;

    private static Alert ToAlert(AlertRow row) => new()
    {
        Id = row.Id,
        TenantId = row.TenantId,
        StoreId = row.StoreId,
        RuleId = row.RuleId,
        RuleName = row.RuleName,
        Kind = Enum.Parse<AlertRuleKind>(row.Kind),
        Status = Enum.Parse<AlertStatus>(row.Status),
        FiredAt = StoredTime.To(row.FiredAt),
        AcknowledgedAt = StoredTime.To(row.AcknowledgedAt),
        AcknowledgedBy = row.AcknowledgedBy,
        ResolvedAt = StoredTime.To(row.ResolvedAt),
        Message = row.Message,
        Figures = JsonSerializer.Deserialize<AlertFigures>(row.Figures, Json)!,
        ResolvedFigures = row.ResolvedFigures is null ? null : JsonSerializer.Deserialize<AlertFigures>(row.ResolvedFigures, Json),
    };

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
        DuringTradingHours = input.Kind == AlertRuleKind.NoOrders && input.DuringTradingHours,
        Enabled = input.Enabled,
        CreatedAt = created,
        UpdatedAt = updated,
    };
}
