using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Audit;

/// <summary>One recorded change attempt: who, what, on which target, and how it ended.</summary>
/// <param name="Id">Increasing: later entries have larger ids, so paging walks back by id.</param>
/// <param name="TenantId">The organisation named by the route, or null for a route outside any organisation.</param>
/// <param name="Action">The endpoint's name (e.g. UpdateDashboard), or METHOD and route pattern when it has none.</param>
/// <param name="Target">The route values except the organisation, e.g. id=…; never a secret.</param>
/// <param name="Outcome">succeeded (2xx/3xx), refused (4xx) or failed (5xx).</param>
/// <param name="Summary">For settings changes, what changed (before → after), where the endpoint says so cheaply.</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? TenantId,
    string? ActorUserId,
    string? ActorEmail,
    string? ApiKeyId,
    string Action,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Target,
    int Status,
    string Outcome,
    string? Summary);

/// <summary>Filters of an audit query; null filters match everything.</summary>
/// <param name="Before">Only entries with a smaller id: the previous page's <see cref="AuditPage.NextBefore"/>.</param>
public sealed record AuditQuery(
    string TenantId,
    string? Actor = null,
    string? Action = null,
    string? Outcome = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? Before = null,
    int Limit = 50);

/// <summary>One page of entries, newest first, and the cursor of the next (older) page when there is one.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore);

/// <summary>The append-only audit log: entries are added and read, never changed or removed.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// The audit log in its own SQLite file (audit.db), so nothing that maintains app.db can touch it. Triggers refuse any
/// UPDATE or DELETE, making the table append-only even to code that tries.
/// </summary>
public sealed class SqliteAuditLog(string connectionString) : IAuditLog
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            tenant_id TEXT NULL,
            actor_user_id TEXT NULL,
            actor_email TEXT NULL,
            api_key_id TEXT NULL,
            action TEXT NOT NULL,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            target TEXT NOT NULL,
            status INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            summary TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit_log (tenant_id, id);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """;

    private readonly SqliteSchemaConnections _connections = new(connectionString, Schema);

    public static string ConnectionStringFor(string dataDirectory) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "audit.db") }.ToString();

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit_log (at, at_ms, tenant_id, actor_user_id, actor_email, api_key_id, action, method, path, target, status, outcome, summary)
            VALUES ($at, $ms, $tenant, $user, $email, $key, $action, $method, $path, $target, $status, $outcome, $summary)
            """;
        command.Parameters.AddWithValue("$at", entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$ms", entry.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$tenant", (object?)entry.TenantId ?? DBNull.Value);
        command.Parameters.AddWithValue("$user", (object?)entry.ActorUserId ?? DBNull.Value);
        command.Parameters.AddWithValue("$email", (object?)entry.ActorEmail ?? DBNull.Value);
        command.Parameters.AddWithValue("$key", (object?)entry.ApiKeyId ?? DBNull.Value);
        command.Parameters.AddWithValue("$action", entry.Action);
        command.Parameters.AddWithValue("$method", entry.Method);
        command.Parameters.AddWithValue("$path", entry.Path);
        command.Parameters.AddWithValue("$target", System.Text.Json.JsonSerializer.Serialize(entry.Target));
        command.Parameters.AddWithValue("$status", entry.Status);
        command.Parameters.AddWithValue("$outcome", entry.Outcome);
        command.Parameters.AddWithValue("$summary", (object?)entry.Summary ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string> { "tenant_id = $tenant" };
        command.Parameters.AddWithValue("$tenant", query.TenantId);
        if (query.Actor is { } actor)
        {
            where.Add("(actor_user_id = $actor OR actor_email = $actor COLLATE NOCASE OR api_key_id = $actor)");
            command.Parameters.AddWithValue("$actor", actor);
        }

        if (query.Action is { } action)
        {
            where.Add("action = $action");
            command.Parameters.AddWithValue("$action", action);
        }

        if (query.Outcome is { } outcome)
        {
            where.Add("outcome = $outcome");
            command.Parameters.AddWithValue("$outcome", outcome);
        }

        if (query.From is { } from)
        {
            where.Add("at_ms >= $from");
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Add("at_ms < $to");
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        }

        if (query.Before is { } before)
        {
            where.Add("id < $before");
            command.Parameters.AddWithValue("$before", before);
        }

        // One more than asked tells whether an older page exists without a COUNT.
        command.CommandText = $"""
            SELECT id, at, tenant_id, actor_user_id, actor_email, api_key_id, action, method, path, target, status, outcome, summary
            FROM audit_log WHERE {string.Join(" AND ", where)} ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(9)) ?? [],
                reader.GetInt32(10),
                reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }

        return entries.Count > query.Limit
            ? new AuditPage(entries[..query.Limit], entries[query.Limit - 1].Id)
            : new AuditPage(entries, null);
    }
}
