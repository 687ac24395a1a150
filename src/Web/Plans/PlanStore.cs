using System.Globalization;
using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Plans;

/// <summary>An organisation's chosen tier, as stored when its owner set it.</summary>
public sealed record StoredPlan(string TenantId, PlanTier Tier, DateTimeOffset UpdatedAt, string? UpdatedBy);

/// <summary>The tiers organisations have chosen; an organisation without a row is on its configured tier.</summary>
public interface IPlanStore
{
    Task<StoredPlan?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task SaveAsync(StoredPlan plan, CancellationToken cancellationToken);
}

/// <summary>Plans in the embedded app.db beside dashboards and the store directory.</summary>
public sealed class SqlitePlanStore(string connectionString) : IPlanStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS organisation_plans (
            tenant_id TEXT NOT NULL PRIMARY KEY,
            tier TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NULL
        );
        """;

    private readonly SqliteSchemaConnections _connections = new(connectionString, Schema);

    public async Task<StoredPlan?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tier, updated_at, updated_by FROM organisation_plans WHERE tenant_id = $tenant";
        command.Parameters.AddWithValue("$tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        // A tier name a later version removed reads as the configured default rather than failing every request.
        return Enum.TryParse<PlanTier>(reader.GetString(0), out var tier)
            ? new StoredPlan(tenantId, tier, DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    public async Task SaveAsync(StoredPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO organisation_plans (tenant_id, tier, updated_at, updated_by) VALUES ($tenant, $tier, $at, $by)
            ON CONFLICT (tenant_id) DO UPDATE SET tier = excluded.tier, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """;
        command.Parameters.AddWithValue("$tenant", plan.TenantId);
        command.Parameters.AddWithValue("$tier", plan.Tier.ToString());
        command.Parameters.AddWithValue("$at", plan.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$by", (object?)plan.UpdatedBy ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
