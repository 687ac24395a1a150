using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Channels;

/// <summary>One store's connection to one channel. <see cref="Credentials"/> are secret: stored encrypted, never returned by the API.</summary>
public sealed record ChannelConnection(
    StoreRef Store,
    SalesChannel Channel,
    bool Enabled,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Credentials,
    TimeSpan PollInterval,
    DateTimeOffset UpdatedAt);

/// <summary>Sync states a user sees.</summary>
public static class SyncStates
{
    public const string Never = "never";
    public const string Ok = "ok";
    public const string Error = "error";
    public const string RateLimited = "rate-limited";
    public const string CredentialsRejected = "credentials-rejected";
}

/// <summary>How a connection's last sync (poll or webhook) went.</summary>
/// <param name="NextSyncAt">When the scheduler polls next; null when it waits for a person (rejected credentials) or for a webhook.</param>
public sealed record ChannelSyncStatus(
    string State,
    DateTimeOffset? LastSyncAt,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    long EventsIngested,
    DateTimeOffset? NextSyncAt,
    string? LastSummary)
{
    public static ChannelSyncStatus Initial { get; } = new(SyncStates.Never, null, null, null, 0, null, null);
}

/// <summary>Channel connections and their sync status.</summary>
public interface IChannelConnectionStore
{
    Task<ChannelConnection?> GetAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken);

    /// <summary>All connections, or those of one store.</summary>
    Task<IReadOnlyList<ChannelConnection>> ListAsync(StoreRef? store, CancellationToken cancellationToken);

    Task UpsertAsync(ChannelConnection connection, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken);

    Task<ChannelSyncStatus> GetStatusAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken);

    Task SaveStatusAsync(StoreRef store, SalesChannel channel, ChannelSyncStatus status, CancellationToken cancellationToken);
}

/// <summary>
/// Connections in SQLite with the credentials encrypted by ASP.NET Core Data Protection (keys under the data folder),
/// so the database file alone reveals no secret.
/// </summary>
public sealed class SqliteChannelConnectionStore : IChannelConnectionStore
{
    /// <summary>Changing the purpose makes every stored credential unreadable; it is versioned for that reason.</summary>
    public const string ProtectorPurpose = "SalesDash.Channels.Credentials.v1";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS channel_connections (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            settings TEXT NOT NULL,
            credentials TEXT NOT NULL,
            poll_interval_seconds INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id, channel)
        );
        CREATE TABLE IF NOT EXISTS channel_sync_status (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id, channel)
        );
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteSchemaConnections _connections;
    private readonly IDataProtector _protector;

    public SqliteChannelConnectionStore(string connectionString, IDataProtectionProvider protection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(protection);
        _connections = new SqliteSchemaConnections(connectionString, Schema);
        _protector = protection.CreateProtector(ProtectorPurpose);
    }

    public async Task<ChannelConnection?> GetAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE tenant_id = $tenant AND store_id = $store AND channel = $channel", store, channel, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<ChannelConnection>> ListAsync(StoreRef? store, CancellationToken cancellationToken) =>
        await QueryAsync(store is null ? string.Empty : "WHERE tenant_id = $tenant AND store_id = $store", store, null, cancellationToken);

    public async Task UpsertAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = """
            INSERT INTO channel_connections (tenant_id, store_id, channel, enabled, settings, credentials, poll_interval_seconds, updated_at)
            VALUES ($tenant, $store, $channel, $enabled, $settings, $credentials, $interval, $updated)
            ON CONFLICT (tenant_id, store_id, channel) DO UPDATE SET enabled = excluded.enabled, settings = excluded.settings,
                credentials = excluded.credentials, poll_interval_seconds = excluded.poll_interval_seconds, updated_at = excluded.updated_at
            """;
        Bind(command, connection.Store, connection.Channel);
        command.Parameters.AddWithValue("$enabled", connection.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$settings", JsonSerializer.Serialize(connection.Settings, Json));
        command.Parameters.AddWithValue("$credentials", _protector.Protect(JsonSerializer.Serialize(connection.Credentials, Json)));
        command.Parameters.AddWithValue("$interval", (long)connection.PollInterval.TotalSeconds);
        command.Parameters.AddWithValue("$updated", connection.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = """
            DELETE FROM channel_sync_status WHERE tenant_id = $tenant AND store_id = $store AND channel = $channel;
            DELETE FROM channel_connections WHERE tenant_id = $tenant AND store_id = $store AND channel = $channel;
            """;
        Bind(command, store, channel);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<ChannelSyncStatus> GetStatusAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT status FROM channel_sync_status WHERE tenant_id = $tenant AND store_id = $store AND channel = $channel";
        Bind(command, store, channel);
        return await command.ExecuteScalarAsync(cancellationToken) is string text
            ? JsonSerializer.Deserialize<ChannelSyncStatus>(text, Json) ?? ChannelSyncStatus.Initial
            : ChannelSyncStatus.Initial;
    }

    public async Task SaveStatusAsync(StoreRef store, SalesChannel channel, ChannelSyncStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = """
            INSERT INTO channel_sync_status (tenant_id, store_id, channel, status) VALUES ($tenant, $store, $channel, $status)
            ON CONFLICT (tenant_id, store_id, channel) DO UPDATE SET status = excluded.status
            """;
        Bind(command, store, channel);
        command.Parameters.AddWithValue("$status", JsonSerializer.Serialize(status, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<List<ChannelConnection>> QueryAsync(string where, StoreRef? store, SalesChannel? channel, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = $"""
            SELECT tenant_id, store_id, channel, enabled, settings, credentials, poll_interval_seconds, updated_at
            FROM channel_connections {where} ORDER BY tenant_id, store_id, channel
            """;
        if (store is not null)
        {
            command.Parameters.AddWithValue("$tenant", store.TenantId);
            command.Parameters.AddWithValue("$store", store.StoreId);
        }

        if (channel is not null)
        {
            command.Parameters.AddWithValue("$channel", channel.Value.ToString());
        }

        var found = new List<ChannelConnection>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!Enum.TryParse<SalesChannel>(reader.GetString(2), out var parsed))
            {
                continue;
            }

            found.Add(new ChannelConnection(
                new StoreRef(reader.GetString(0), reader.GetString(1)),
                parsed,
                reader.GetInt64(3) != 0,
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4), Json) ?? [],
                JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(reader.GetString(5)), Json) ?? [],
                TimeSpan.FromSeconds(reader.GetInt64(6)),
                DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
        }

        return found;
    }

    private static void Bind(SqliteCommand command, StoreRef store, SalesChannel channel)
    {
        command.Parameters.AddWithValue("$tenant", store.TenantId);
        command.Parameters.AddWithValue("$store", store.StoreId);
        command.Parameters.AddWithValue("$channel", channel.ToString());
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);
}
