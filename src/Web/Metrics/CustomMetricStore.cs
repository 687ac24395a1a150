using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Metrics;

/// <summary>How a custom metric's value is shown.</summary>
public enum MetricFormat
{
    Number,
    Currency,
    Percent,
}

/// <summary>An organisation's custom metric: a name, a formula over <see cref="MetricFigures"/> and how to show it.</summary>
public sealed record CustomMetric(
    string Id, string TenantId, string Name, string Formula, MetricFormat Format, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What a client sends to define or change a custom metric.</summary>
public sealed record CustomMetricInput(string? Name, string? Formula, string? Format);

/// <summary>Custom metrics per organisation; every read and write is scoped to the organisation.</summary>
public interface ICustomMetricStore
{
    Task<IReadOnlyList<CustomMetric>> ListAsync(string tenantId, CancellationToken cancellationToken);

    Task<CustomMetric?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<CustomMetric> CreateAsync(string tenantId, string name, string formula, MetricFormat format, CancellationToken cancellationToken);

    Task<CustomMetric?> UpdateAsync(string tenantId, string id, string name, string formula, MetricFormat format, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);
}

/// <summary>Custom metrics in the embedded app.db; the formula is stored as the user wrote it, and parsed again on use.</summary>
public sealed class SqliteCustomMetricStore(string connectionString, TimeProvider clock) : ICustomMetricStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS custom_metrics (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            formula TEXT NOT NULL,
            format TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS custom_metrics_by_tenant ON custom_metrics (tenant_id);
        """;

    private const string Columns = "id, tenant_id, name, formula, format, created_at, updated_at";

    private readonly SqliteSchemaConnections _connections = new(connectionString, Schema);

    public Task<IReadOnlyList<CustomMetric>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM custom_metrics WHERE tenant_id = $tenant ORDER BY name COLLATE NOCASE, id", tenantId, null, cancellationToken);

    public async Task<CustomMetric?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM custom_metrics WHERE tenant_id = $tenant AND id = $id", tenantId, id, cancellationToken)).SingleOrDefault();

    public async Task<CustomMetric> CreateAsync(string tenantId, string name, string formula, MetricFormat format, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var metric = new CustomMetric(Guid.CreateVersion7(now).ToString("N"), tenantId, name, formula, format, now, now);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO custom_metrics ({Columns}) VALUES ($id, $tenant, $name, $formula, $format, $at, $at)";
        command.Parameters.AddWithValue("$id", metric.Id);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$formula", formula);
        command.Parameters.AddWithValue("$format", format.ToString());
        command.Parameters.AddWithValue("$at", Stamp(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return metric;
    }

    public async Task<CustomMetric?> UpdateAsync(string tenantId, string id, string name, string formula, MetricFormat format, CancellationToken cancellationToken)
    {
        await using (var connection = await _connections.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE custom_metrics SET name = $name, formula = $formula, format = $format, updated_at = $at WHERE tenant_id = $tenant AND id = $id";
            command.Parameters.AddWithValue("$tenant", tenantId);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$formula", formula);
            command.Parameters.AddWithValue("$format", format.ToString());
            command.Parameters.AddWithValue("$at", Stamp(clock.GetUtcNow()));
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return null;
            }
        }

        return await GetAsync(tenantId, id, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM custom_metrics WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<CustomMetric>> QueryAsync(string sql, string tenantId, string? id, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$tenant", tenantId);
        if (id is not null)
        {
            command.Parameters.AddWithValue("$id", id);
        }

        var metrics = new List<CustomMetric>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics.Add(new CustomMetric(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Enum.TryParse<MetricFormat>(reader.GetString(4), out var format) ? format : MetricFormat.Number,
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture), DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture)));
        }

        return metrics;
    }
}
