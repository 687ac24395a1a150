using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;
using SalesDash.Connectors.Shipping;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Channels;

/// <summary>Where each of a store's parcels stands, newest tracking state per tracking code.</summary>
public sealed class ShipmentStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS shipments (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            tracking_code TEXT NOT NULL,
            carrier TEXT NOT NULL,
            tracker_id TEXT NOT NULL,
            status TEXT NOT NULL,
            status_detail TEXT,
            updated_at TEXT NOT NULL,
            est_delivery TEXT,
            reference TEXT,
            public_url TEXT,
            event_id TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id, carrier, tracking_code)
        )
        """;

    private readonly SqliteSchemaConnections _connections;

    public ShipmentStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connections = new SqliteSchemaConnections(connectionString, Schema);
    }

    /// <summary>Keeps the update when it is newer than what is held; false for a repeat or an older, late delivery.</summary>
    public async Task<bool> RecordAsync(StoreRef store, ShipmentTrackingUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(update);
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        // Timestamps are stored as fixed-width UTC "O" strings, so text order is time order.
        command.CommandText = """
            INSERT INTO shipments (tenant_id, store_id, tracking_code, carrier, tracker_id, status, status_detail, updated_at, est_delivery, reference, public_url, event_id)
            VALUES ($tenant, $store, $code, $carrier, $tracker, $status, $detail, $updated, $eta, $reference, $url, $event)
            ON CONFLICT (tenant_id, store_id, carrier, tracking_code) DO UPDATE SET tracker_id = excluded.tracker_id, status = excluded.status,
                status_detail = excluded.status_detail, updated_at = excluded.updated_at, est_delivery = excluded.est_delivery,
                reference = excluded.reference, public_url = excluded.public_url, event_id = excluded.event_id
            WHERE excluded.updated_at > shipments.updated_at
            """;
        command.Parameters.AddWithValue("$tenant", store.TenantId);
        command.Parameters.AddWithValue("$store", store.StoreId);
        command.Parameters.AddWithValue("$code", update.TrackingCode);
        command.Parameters.AddWithValue("$carrier", update.Carrier);
        command.Parameters.AddWithValue("$tracker", update.TrackerId);
        command.Parameters.AddWithValue("$status", update.Status);
        command.Parameters.AddWithValue("$detail", (object?)update.StatusDetail ?? DBNull.Value);
        command.Parameters.AddWithValue("$updated", Format(update.UpdatedAt));
        command.Parameters.AddWithValue("$eta", update.EstimatedDelivery is { } eta ? Format(eta) : DBNull.Value);
        command.Parameters.AddWithValue("$reference", (object?)update.Reference ?? DBNull.Value);
        command.Parameters.AddWithValue("$url", (object?)update.PublicUrl ?? DBNull.Value);
        command.Parameters.AddWithValue("$event", update.EventId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<ShipmentView>> ListAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT tracking_code, carrier, status, status_detail, updated_at, est_delivery, public_url
            FROM shipments WHERE tenant_id = $tenant AND store_id = $store ORDER BY updated_at DESC
            """;
        command.Parameters.AddWithValue("$tenant", store.TenantId);
        command.Parameters.AddWithValue("$store", store.StoreId);
        var list = new List<ShipmentView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ShipmentView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                Parse(reader.GetString(4)), reader.IsDBNull(5) ? null : Parse(reader.GetString(5)), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return list;
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);
}

/// <summary>A parcel as the shipments list shows it.</summary>
public sealed record ShipmentView(string TrackingCode, string Carrier, string Status, string? StatusDetail, DateTimeOffset UpdatedAt, DateTimeOffset? EstimatedDelivery, string? PublicUrl);
