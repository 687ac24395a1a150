using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// Dashboards and share links in the embedded app.db (beside the store directory's table). Layout and widgets are
/// stored as JSON columns: they are always read and written whole, and their shape belongs to the front end.
/// </summary>
public sealed class SqliteDashboardStore : IDashboardStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS dashboards (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            layout TEXT NOT NULL,
            widgets TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS dashboards_by_tenant ON dashboards (tenant_id);
        CREATE TABLE IF NOT EXISTS share_links (
            id TEXT NOT NULL PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            dashboard_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS share_links_by_dashboard ON share_links (dashboard_id);
        -- Beside share_links rather than a column of it: CREATE ... IF NOT EXISTS upgrades existing app.db files too.
        CREATE TABLE IF NOT EXISTS share_link_expiries (
            link_id TEXT NOT NULL PRIMARY KEY,
            expires_at TEXT NOT NULL
        );
        """;

    private const string Columns = "id, tenant_id, name, layout, widgets, created_at, updated_at";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteSchemaConnections _connections;
    private readonly TimeProvider _clock;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. "Data Source=/data/app.db".</param>
    /// <param name="clock">Stamps created/updated/revoked times.</param>
    public SqliteDashboardStore(string connectionString, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(clock);
        _connections = new SqliteSchemaConnections(connectionString, Schema);
        _clock = clock;
    }

    public async Task<IReadOnlyList<DashboardSummary>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        var dashboards = await QueryAsync(
            $"SELECT {Columns} FROM dashboards WHERE tenant_id = $tenant ORDER BY name COLLATE NOCASE, created_at",
            p => p.AddWithValue("$tenant", tenantId),
            cancellationToken);
        return dashboards.Select(d => new DashboardSummary(d.Id, d.Name, d.Widgets.Count, d.CreatedAt, d.UpdatedAt)).ToList();
    }

    public async Task<Dashboard?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync(
            $"SELECT {Columns} FROM dashboards WHERE tenant_id = $tenant AND id = $id",
            p =>
            {
                p.AddWithValue("$tenant", tenantId);
                p.AddWithValue("$id", id);
            },
            cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<Dashboard> CreateAsync(string tenantId, DashboardInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = _clock.GetUtcNow();
        var dashboard = new Dashboard(Guid.CreateVersion7(now).ToString("N"), tenantId, input.Name.Trim(), input.Layout, input.Widgets, now, now);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO dashboards ({Columns}) VALUES ($id, $tenant, $name, $layout, $widgets, $created, $updated)";
        command.Parameters.AddWithValue("$id", dashboard.Id);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", dashboard.Name);
        command.Parameters.AddWithValue("$layout", JsonSerializer.Serialize(dashboard.Layout, Json));
        command.Parameters.AddWithValue("$widgets", JsonSerializer.Serialize(dashboard.Widgets, Json));
        command.Parameters.AddWithValue("$created", Stamp(now));
        command.Parameters.AddWithValue("$updated", Stamp(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return dashboard;
    }

    public async Task<Dashboard?> UpdateAsync(string tenantId, string id, DashboardInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                UPDATE dashboards SET name = $name, layout = $layout, widgets = $widgets, updated_at = $updated
                WHERE tenant_id = $tenant AND id = $id
                """;
            command.Parameters.AddWithValue("$tenant", tenantId);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$name", input.Name.Trim());
            command.Parameters.AddWithValue("$layout", JsonSerializer.Serialize(input.Layout, Json));
            command.Parameters.AddWithValue("$widgets", JsonSerializer.Serialize(input.Widgets, Json));
            command.Parameters.AddWithValue("$updated", Stamp(_clock.GetUtcNow()));
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return null;
            }
        }

        return await GetAsync(tenantId, id, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM dashboards WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$id", id);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        // The links go with the dashboard, so a TV showing it stops at its next check rather than showing nothing.
        await using var links = connection.CreateCommand();
        links.Transaction = transaction;
        links.CommandText = "DELETE FROM share_links WHERE dashboard_id = $id";
        links.Parameters.AddWithValue("$id", id);
        await links.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<ShareLinkCreated?> CreateShareLinkAsync(string tenantId, string dashboardId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (await GetAsync(tenantId, dashboardId, cancellationToken) is null)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var token = ShareTokens.Create();
        var id = Guid.CreateVersion7(now).ToString("N");
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO share_links (id, token_hash, dashboard_id, created_at) VALUES ($id, $hash, $dashboard, $created)";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$hash", ShareTokens.Hash(token));
        command.Parameters.AddWithValue("$dashboard", dashboardId);
        command.Parameters.AddWithValue("$created", Stamp(now));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        command.Transaction = (SqliteTransaction)transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (expiresAt is { } expiry)
        {
            await using var expires = connection.CreateCommand();
            expires.Transaction = (SqliteTransaction)transaction;
            expires.CommandText = "INSERT INTO share_link_expiries (link_id, expires_at) VALUES ($id, $expires)";
            expires.Parameters.AddWithValue("$id", id);
            expires.Parameters.AddWithValue("$expires", Stamp(expiry));
            await expires.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ShareLinkCreated(id, token, $"/wall/{token}", now, expiresAt?.ToUniversalTime());
    }

    public async Task<IReadOnlyList<ShareLink>?> ListShareLinksAsync(string tenantId, string dashboardId, CancellationToken cancellationToken)
    {
        if (await GetAsync(tenantId, dashboardId, cancellationToken) is null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l.id, l.dashboard_id, l.created_at, l.revoked_at, e.expires_at
            FROM share_links l LEFT JOIN share_link_expiries e ON e.link_id = l.id
            WHERE l.dashboard_id = $dashboard ORDER BY l.created_at DESC, l.id DESC
            """;
        command.Parameters.AddWithValue("$dashboard", dashboardId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var links = new List<ShareLink>();
        while (await reader.ReadAsync(cancellationToken))
        {
            links.Add(new ShareLink(reader.GetString(0), reader.GetString(1), ParseStamp(reader.GetString(2)),
                reader.IsDBNull(3) ? null : ParseStamp(reader.GetString(3)), reader.IsDBNull(4) ? null : ParseStamp(reader.GetString(4))));
        }

        return links;
    }

    public async Task<bool> RevokeShareLinkAsync(string tenantId, string dashboardId, string linkId, CancellationToken cancellationToken)
    {
        if (await GetAsync(tenantId, dashboardId, cancellationToken) is null)
        {
            return false;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE share_links SET revoked_at = COALESCE(revoked_at, $now)
            WHERE id = $id AND dashboard_id = $dashboard
            """;
        command.Parameters.AddWithValue("$id", linkId);
        command.Parameters.AddWithValue("$dashboard", dashboardId);
        command.Parameters.AddWithValue("$now", Stamp(_clock.GetUtcNow()));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<ShareResolution> ResolveShareTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!ShareTokens.LooksValid(token))
        {
            return new ShareResolution.Unknown();
        }

        string dashboardId;
        string linkId;
        DateTimeOffset? expiresAt;
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT l.dashboard_id, l.revoked_at, l.id, e.expires_at
                FROM share_links l LEFT JOIN share_link_expiries e ON e.link_id = l.id
                WHERE l.token_hash = $hash
                """;
            command.Parameters.AddWithValue("$hash", ShareTokens.Hash(token));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new ShareResolution.Unknown();
            }

            if (!reader.IsDBNull(1))
            {
                return new ShareResolution.Revoked(ParseStamp(reader.GetString(1)));
            }

            dashboardId = reader.GetString(0);
            linkId = reader.GetString(2);
            expiresAt = reader.IsDBNull(3) ? null : ParseStamp(reader.GetString(3));
            if (expiresAt <= _clock.GetUtcNow())
            {
                return new ShareResolution.Expired(expiresAt.Value);
            }
        }

        var found = await QueryAsync($"SELECT {Columns} FROM dashboards WHERE id = $id", p => p.AddWithValue("$id", dashboardId), cancellationToken);
        return found.SingleOrDefault() is { } dashboard ? new ShareResolution.Active(dashboard, linkId, expiresAt) : new ShareResolution.Unknown();
    }

    // Round-trip ISO 8601 in UTC: sorts as text and reads back exactly.
    private static string Stamp(DateTimeOffset instant) => instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseStamp(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private async Task<List<Dashboard>> QueryAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dashboards = new List<Dashboard>();
        while (await reader.ReadAsync(cancellationToken))
        {
            dashboards.Add(new Dashboard(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                JsonSerializer.Deserialize<List<LayoutItem>>(reader.GetString(3), Json) ?? [],
                JsonSerializer.Deserialize<List<Widget>>(reader.GetString(4), Json) ?? [],
                ParseStamp(reader.GetString(5)),
                ParseStamp(reader.GetString(6))));
        }

        return dashboards;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);
}
