using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Engine.Stores;

/// <summary>The embedded store directory: one row per connected store in a SQLite file, created on first use.</summary>
public sealed class SqliteStoreDirectory : IStoreDirectory
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS stores (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            name TEXT NOT NULL,
            channel TEXT NOT NULL,
            shop_domain TEXT NOT NULL,
            currency TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            webhook_secret TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id),
            UNIQUE (channel, shop_domain)
        )
        """;

    private const string Columns = "tenant_id, store_id, name, channel, shop_domain, currency, time_zone, webhook_secret";

    private readonly SqliteSchemaConnections _connections;
    private readonly IWebhookSecretProtector? _secrets;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. "Data Source=/data/app.db".</param>
    /// <param name="secrets">Encrypts webhook secrets at rest; without one (an engine alone, in tests) they are stored as given.</param>
    public SqliteStoreDirectory(string connectionString, IWebhookSecretProtector? secrets = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connections = new SqliteSchemaConnections(connectionString, CreateTable);
        _secrets = secrets;
    }

    /// <summary>The default file, app.db, inside a data folder.</summary>
    public static string ConnectionStringFor(string dataDirectory) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "app.db") }.ToString();

    public async Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shopDomain);
        var found = await QueryAsync(
            $"SELECT {Columns} FROM stores WHERE channel = $channel AND shop_domain = $domain",
            p =>
            {
                p.AddWithValue("$channel", channel.ToString());
                p.AddWithValue("$domain", NormaliseDomain(shopDomain));
            },
            cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = await QueryAsync(
            $"SELECT {Columns} FROM stores WHERE tenant_id = $tenant AND store_id = $store",
            p =>
            {
                p.AddWithValue("$tenant", store.TenantId);
                p.AddWithValue("$store", store.StoreId);
            },
            cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {Columns} FROM stores ORDER BY tenant_id, store_id", _ => { }, cancellationToken);

    public async Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO stores ({Columns}) VALUES ($tenant, $store, $name, $channel, $domain, $currency, $zone, $secret)
            ON CONFLICT (tenant_id, store_id) DO UPDATE SET
                name = excluded.name, channel = excluded.channel, shop_domain = excluded.shop_domain,
                currency = excluded.currency, time_zone = excluded.time_zone, webhook_secret = excluded.webhook_secret
            """;
        command.Parameters.AddWithValue("$tenant", profile.Store.TenantId);
        command.Parameters.AddWithValue("$store", profile.Store.StoreId);
        command.Parameters.AddWithValue("$name", profile.Name);
        command.Parameters.AddWithValue("$channel", profile.Channel.ToString());
        command.Parameters.AddWithValue("$domain", NormaliseDomain(profile.ShopDomain));
        command.Parameters.AddWithValue("$currency", profile.Currency);
        command.Parameters.AddWithValue("$zone", profile.TimeZone);
        command.Parameters.AddWithValue("$secret", _secrets?.Protect(profile.WebhookSecret) ?? profile.WebhookSecret);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Shop domains arrive in webhook headers in whatever case the platform sends; they compare case-insensitively.
    private static string NormaliseDomain(string shopDomain) => shopDomain.Trim().ToLowerInvariant();

    private async Task<List<StoreProfile>> QueryAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var profiles = new List<StoreProfile>();
        while (await reader.ReadAsync(cancellationToken))
        {
            profiles.Add(new StoreProfile(
                new StoreRef(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                Enum.Parse<SalesChannel>(reader.GetString(3)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                _secrets?.Unprotect(reader.GetString(7)) ?? reader.GetString(7)));
        }

        return profiles;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);
}
