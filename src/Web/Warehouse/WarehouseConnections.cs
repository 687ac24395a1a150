using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Warehouse;

/// <summary>Which kind of warehouse receives the copy.</summary>
public enum WarehouseKind
{
    PostgreSql,
    ClickHouse,
}

/// <summary>
/// Where an organisation's figures are copied. Given as parts, never as a connection string, so no option a merchant
/// types can switch on something the server would regret (a local socket, a client certificate path, ...).
/// </summary>
/// <param name="Tls">PostgreSQL: require TLS; ClickHouse: https instead of http.</param>
public sealed record WarehouseSettings(WarehouseKind Kind, string Host, int Port, string Database, string Username, string? Password, bool Tls);

/// <summary>A connection as stored: its settings, schedule and the last run's outcome.</summary>
public sealed record WarehouseConnection(
    string TenantId, WarehouseSettings Settings, TimeSpan Interval, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunAt, DateTimeOffset? LastSuccessAt, string? LastError, long? LastRowsWritten);

/// <summary>What a finished or failed sync records.</summary>
public sealed record WarehouseRunOutcome(DateTimeOffset At, bool Succeeded, long RowsWritten, string? Error);

/// <summary>Warehouse connections and the per-table watermarks of their syncs.</summary>
public interface IWarehouseConnectionStore
{
    Task<WarehouseConnection?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task<IReadOnlyList<WarehouseConnection>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the connection; a changed destination starts from no watermark, so it receives everything.</summary>
    Task SaveAsync(string tenantId, WarehouseSettings settings, TimeSpan interval, DateTimeOffset at, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken);

    Task RecordRunAsync(string tenantId, WarehouseRunOutcome outcome, CancellationToken cancellationToken);

    Task<WarehouseWatermark?> GetWatermarkAsync(string tenantId, string storeId, string table, CancellationToken cancellationToken);

    /// <summary>Moves the watermark forward (never back: two overlapping runs cannot undo each other's progress).</summary>
    Task AdvanceWatermarkAsync(string tenantId, string storeId, string table, WarehouseWatermark watermark, CancellationToken cancellationToken);

    /// <summary>Forgets every watermark of the organisation: the next run copies everything again (a full resync).</summary>
    Task ResetWatermarksAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>The (time, id) of the last row written; the next run reads strictly after it (less the look-back).</summary>
public sealed record WarehouseWatermark(DateTimeOffset At, string Id)
{
    public bool IsAfter(WarehouseWatermark other) =>
        At > other.At || (At == other.At && string.CompareOrdinal(Id, other.Id) > 0);
}

/// <summary>Connections in the app database, their settings encrypted with the same Data Protection key ring as channel credentials.</summary>
public sealed class EfWarehouseConnectionStore(IDbContextFactory<AppIdentityDbContext> databases, IDataProtectionProvider protection) : IWarehouseConnectionStore
{
    public const string ProtectorPurpose = "SalesDash.Warehouse.Settings.v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IDataProtector _protector = protection.CreateProtector(ProtectorPurpose);

    public async Task<WarehouseConnection?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<WarehouseConnectionRow>().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId, cancellationToken);
        return row is null ? null : Of(row);
    }

    public async Task<IReadOnlyList<WarehouseConnection>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<WarehouseConnectionRow>().AsNoTracking().OrderBy(c => c.TenantId).ToListAsync(cancellationToken);
        return [.. rows.Select(Of)];
    }

    public async Task SaveAsync(string tenantId, WarehouseSettings settings, TimeSpan interval, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<WarehouseConnectionRow>().SingleOrDefaultAsync(c => c.TenantId == tenantId, cancellationToken);
        var moved = row is not null && Destination(Read(row)) != Destination(settings);
        if (row is null)
        {
            row = new WarehouseConnectionRow { TenantId = tenantId, Kind = settings.Kind.ToString(), ProtectedSettings = string.Empty, CreatedAt = StoredTime.From(at) };
            db.Add(row);
        }

        row.Kind = settings.Kind.ToString();
        row.ProtectedSettings = _protector.Protect(JsonSerializer.Serialize(settings, Json));
        row.IntervalMinutes = (int)interval.TotalMinutes;
        row.UpdatedAt = StoredTime.From(at);
        if (moved)
        {
            // Another warehouse holds none of what was copied to the old one.
            await db.Set<WarehouseWatermarkRow>().Where(w => w.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
            row.LastSuccessAt = null;
            row.LastRowsWritten = null;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<WarehouseWatermarkRow>().Where(w => w.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        return await db.Set<WarehouseConnectionRow>().Where(c => c.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task RecordRunAsync(string tenantId, WarehouseRunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Set<WarehouseConnectionRow>().SingleOrDefaultAsync(c => c.TenantId == tenantId, cancellationToken) is not { } row)
        {
            return;
        }

        row.LastRunAt = StoredTime.From(outcome.At);
        row.LastError = outcome.Error;
        if (outcome.Succeeded)
        {
            row.LastSuccessAt = StoredTime.From(outcome.At);
            row.LastRowsWritten = outcome.RowsWritten;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<WarehouseWatermark?> GetWatermarkAsync(string tenantId, string storeId, string table, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<WarehouseWatermarkRow>().AsNoTracking()
            .SingleOrDefaultAsync(w => w.TenantId == tenantId && w.StoreId == storeId && w.Table == table, cancellationToken);
        return row is null ? null : new WarehouseWatermark(StoredTime.To(row.CursorAt), row.CursorId);
    }

    public async Task AdvanceWatermarkAsync(string tenantId, string storeId, string table, WarehouseWatermark watermark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watermark);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<WarehouseWatermarkRow>().SingleOrDefaultAsync(w => w.TenantId == tenantId && w.StoreId == storeId && w.Table == table, cancellationToken);
        if (row is null)
        {
            db.Add(new WarehouseWatermarkRow
            {
                TenantId = tenantId, StoreId = storeId, Table = table, CursorAt = StoredTime.From(watermark.At), CursorId = watermark.Id,
            });
        }
        else if (watermark.IsAfter(new WarehouseWatermark(StoredTime.To(row.CursorAt), row.CursorId)))
        {
            row.CursorAt = StoredTime.From(watermark.At);
            row.CursorId = watermark.Id;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task ResetWatermarksAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<WarehouseWatermarkRow>().Where(w => w.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
    }

    private static (WarehouseKind, string, int, string) Destination(WarehouseSettings s) => (s.Kind, s.Host.ToLowerInvariant(), s.Port, s.Database);

    private WarehouseSettings Read(WarehouseConnectionRow row) =>
        JsonSerializer.Deserialize<WarehouseSettings>(_protector.Unprotect(row.ProtectedSettings), Json)
        ?? throw new InvalidOperationException($"The warehouse settings of '{row.TenantId}' are empty.");

    private WarehouseConnection Of(WarehouseConnectionRow row) => new(
        row.TenantId, Read(row), TimeSpan.FromMinutes(row.IntervalMinutes), StoredTime.To(row.CreatedAt), StoredTime.To(row.UpdatedAt),
        StoredTime.To(row.LastRunAt), StoredTime.To(row.LastSuccessAt), row.LastError, row.LastRowsWritten);
}
