using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

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
/// Connections in the app database with the credentials encrypted by ASP.NET Core Data Protection (its key ring is in
/// the same database, shared by the nodes), so the table alone reveals no secret.
/// </summary>
public sealed class EfChannelConnectionStore : IChannelConnectionStore
{
    /// <summary>Changing the purpose makes every stored credential unreadable; it is versioned for that reason.</summary>
    public const string ProtectorPurpose = "SalesDash.Channels.Credentials.v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IDbContextFactory<AppIdentityDbContext> _databases;
    private readonly IDataProtector _protector;

    public EfChannelConnectionStore(IDbContextFactory<AppIdentityDbContext> databases, IDataProtectionProvider protection)
    {
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(protection);
        _databases = databases;
        _protector = protection.CreateProtector(ProtectorPurpose);
    }

    public async Task<ChannelConnection?> GetAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = channel.ToString();
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ChannelConnectionRow>().AsNoTracking()
            .SingleOrDefaultAsync(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Channel == name, cancellationToken);
        return row is null ? null : ToConnection(row);
    }

    public async Task<IReadOnlyList<ChannelConnection>> ListAsync(StoreRef? store, CancellationToken cancellationToken)
    {
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var query = db.Set<ChannelConnectionRow>().AsNoTracking();
        if (store is not null)
        {
            query = query.Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId);
        }

        var rows = await query.OrderBy(c => c.TenantId).ThenBy(c => c.StoreId).ThenBy(c => c.Channel).ToListAsync(cancellationToken);

        // A channel a later version removed is skipped rather than failing the whole list.
        return [.. rows.Where(r => Enum.TryParse<SalesChannel>(r.Channel, out _)).Select(ToConnection)];
    }

    public async Task UpsertAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var channel = connection.Channel.ToString();
        var settings = JsonSerializer.Serialize(connection.Settings, Json);
        var credentials = _protector.Protect(JsonSerializer.Serialize(connection.Credentials, Json));
        var interval = (long)connection.PollInterval.TotalSeconds;
        var updated = StoredTime.From(connection.UpdatedAt);
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "ChannelConnections" ("TenantId", "StoreId", "Channel", "Enabled", "Settings", "Credentials", "PollIntervalSeconds", "UpdatedAt")
            VALUES ({connection.Store.TenantId}, {connection.Store.StoreId}, {channel}, {connection.Enabled}, {settings}, {credentials}, {interval}, {updated})
            ON CONFLICT ("TenantId", "StoreId", "Channel") DO UPDATE SET "Enabled" = excluded."Enabled", "Settings" = excluded."Settings",
                "Credentials" = excluded."Credentials", "PollIntervalSeconds" = excluded."PollIntervalSeconds", "UpdatedAt" = excluded."UpdatedAt"
            """, cancellationToken);
    }

    public async Task<bool> DeleteAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = channel.ToString();
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var statuses = await db.Set<ChannelSyncStatusRow>()
            .Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Channel == name).ExecuteDeleteAsync(cancellationToken);
        var connections = await db.Set<ChannelConnectionRow>()
            .Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Channel == name).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return statuses + connections > 0;
    }

    public async Task<ChannelSyncStatus> GetStatusAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = channel.ToString();
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var text = await db.Set<ChannelSyncStatusRow>().AsNoTracking()
            .Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Channel == name)
            .Select(c => c.Status).SingleOrDefaultAsync(cancellationToken);
        return text is null ? ChannelSyncStatus.Initial : JsonSerializer.Deserialize<ChannelSyncStatus>(text, Json) ?? ChannelSyncStatus.Initial;
    }

    public async Task SaveStatusAsync(StoreRef store, SalesChannel channel, ChannelSyncStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(status);
        var name = channel.ToString();
        var text = JsonSerializer.Serialize(status, Json);
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "ChannelSyncStatus" ("TenantId", "StoreId", "Channel", "Status") VALUES ({store.TenantId}, {store.StoreId}, {name}, {text})
            ON CONFLICT ("TenantId", "StoreId", "Channel") DO UPDATE SET "Status" = excluded."Status"
            """, cancellationToken);
    }

    private ChannelConnection ToConnection(ChannelConnectionRow row) => new(
        new StoreRef(row.TenantId, row.StoreId),
        Enum.Parse<SalesChannel>(row.Channel),
        row.Enabled,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.Settings, Json) ?? [],
        JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(row.Credentials), Json) ?? [],
        TimeSpan.FromSeconds(row.PollIntervalSeconds),
        StoredTime.To(row.UpdatedAt));
}
