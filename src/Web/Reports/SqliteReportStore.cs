using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Reports;

/// <summary>Report definitions and the history of their sends (with each send's PDF), per organisation.</summary>
public interface IReportStore
{
    Task<IReadOnlyList<ReportDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Every enabled report of every organisation, for the scheduler.</summary>
    Task<IReadOnlyList<ReportDefinition>> ListEnabledAsync(CancellationToken cancellationToken);

    Task<ReportDefinition?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task SaveAsync(ReportDefinition report, CancellationToken cancellationToken);

    /// <summary>Deletes the report and its sends; false when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a send; a null <paramref name="pdf"/> keeps the PDF already held.</summary>
    Task SaveSendAsync(ReportSend send, byte[]? pdf, CancellationToken cancellationToken);

    Task<ReportSend?> GetSendAsync(string tenantId, string sendId, CancellationToken cancellationToken);

    /// <summary>The report's sends, newest first.</summary>
    Task<IReadOnlyList<ReportSend>> ListSendsAsync(string tenantId, string reportId, int limit, CancellationToken cancellationToken);

    /// <summary>Failed sends that are due another attempt, of every organisation.</summary>
    Task<IReadOnlyList<ReportSend>> ListRetriesAsync(CancellationToken cancellationToken);

    Task<byte[]?> GetPdfAsync(string tenantId, string sendId, CancellationToken cancellationToken);
}

/// <summary>
/// Reports in the embedded app.db. A definition and a send are each kept as one JSON document (they are always read
/// and written whole) beside the columns the lists filter and sort on; the PDF of a send is a BLOB beside it.
/// </summary>
public sealed class SqliteReportStore(string connectionString) : IReportStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS reports (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            body TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS reports_by_tenant ON reports (tenant_id);
        CREATE TABLE IF NOT EXISTS report_sends (
            id TEXT NOT NULL PRIMARY KEY,
            report_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            status TEXT NOT NULL,
            next_attempt_at TEXT NULL,
            body TEXT NOT NULL,
            pdf BLOB NULL
        );
        CREATE INDEX IF NOT EXISTS report_sends_by_report ON report_sends (tenant_id, report_id, started_at);
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly SqliteSchemaConnections _connections = new(connectionString, Schema);

    public async Task<IReadOnlyList<ReportDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        [.. (await ReadAsync<ReportDefinition>("SELECT body FROM reports WHERE tenant_id = $tenant", p => p.AddWithValue("$tenant", tenantId), cancellationToken))
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Id, StringComparer.Ordinal)];

    public Task<IReadOnlyList<ReportDefinition>> ListEnabledAsync(CancellationToken cancellationToken) =>
        ReadAsync<ReportDefinition>("SELECT body FROM reports WHERE enabled = 1 ORDER BY id", _ => { }, cancellationToken);

    public async Task<ReportDefinition?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await ReadAsync<ReportDefinition>("SELECT body FROM reports WHERE tenant_id = $tenant AND id = $id", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$id", id);
        }, cancellationToken)).SingleOrDefault();

    public async Task SaveAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO reports (id, tenant_id, name, enabled, body) VALUES ($id, $tenant, $name, $enabled, $body)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, body = excluded.body
            """;
        command.Parameters.AddWithValue("$id", report.Id);
        command.Parameters.AddWithValue("$tenant", report.TenantId);
        command.Parameters.AddWithValue("$name", report.Name);
        command.Parameters.AddWithValue("$enabled", report.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(report, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM reports WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$id", id);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await using var sends = connection.CreateCommand();
        sends.Transaction = transaction;
        sends.CommandText = "DELETE FROM report_sends WHERE tenant_id = $tenant AND report_id = $id";
        sends.Parameters.AddWithValue("$tenant", tenantId);
        sends.Parameters.AddWithValue("$id", id);
        await sends.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task SaveSendAsync(ReportSend send, byte[]? pdf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO report_sends (id, report_id, tenant_id, started_at, status, next_attempt_at, body, pdf)
            VALUES ($id, $report, $tenant, $started, $status, $next, $body, $pdf)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, next_attempt_at = excluded.next_attempt_at, body = excluded.body,
                pdf = COALESCE(excluded.pdf, report_sends.pdf)
            """;
        command.Parameters.AddWithValue("$id", send.Id);
        command.Parameters.AddWithValue("$report", send.ReportId);
        command.Parameters.AddWithValue("$tenant", send.TenantId);
        command.Parameters.AddWithValue("$started", Stamp(send.StartedAt));
        command.Parameters.AddWithValue("$status", send.Status.ToString());
        command.Parameters.AddWithValue("$next", send.NextAttemptAt is { } next ? Stamp(next) : DBNull.Value);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(send, Json));
        command.Parameters.Add("$pdf", SqliteType.Blob).Value = pdf is null ? DBNull.Value : pdf;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ReportSend?> GetSendAsync(string tenantId, string sendId, CancellationToken cancellationToken) =>
        (await ReadAsync<ReportSend>("SELECT body FROM report_sends WHERE tenant_id = $tenant AND id = $id", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$id", sendId);
        }, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<ReportSend>> ListSendsAsync(string tenantId, string reportId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<ReportSend>("SELECT body FROM report_sends WHERE tenant_id = $tenant AND report_id = $report ORDER BY started_at DESC, id DESC LIMIT $limit", p =>
        {
            p.AddWithValue("$tenant", tenantId);
            p.AddWithValue("$report", reportId);
            p.AddWithValue("$limit", limit);
        }, cancellationToken);

    public Task<IReadOnlyList<ReportSend>> ListRetriesAsync(CancellationToken cancellationToken) =>
        ReadAsync<ReportSend>("SELECT body FROM report_sends WHERE status = 'Failed' AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at", _ => { }, cancellationToken);

    public async Task<byte[]?> GetPdfAsync(string tenantId, string sendId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pdf FROM report_sends WHERE tenant_id = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$id", sendId);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!);
        }

        return found;
    }

    // Sortable text: ISO 8601 in UTC with a fixed number of fraction digits.
    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
