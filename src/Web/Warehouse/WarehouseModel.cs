using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Warehouse;

/// <summary>An organisation's data warehouse connection; the connection details (password included) are encrypted.</summary>
public sealed class WarehouseConnectionRow
{
    public required string TenantId { get; set; }

    /// <summary>PostgreSql or ClickHouse.</summary>
    public required string Kind { get; set; }

    /// <summary>The <see cref="WarehouseSettings"/> as JSON, protected by ASP.NET Core Data Protection like channel credentials.</summary>
    public required string ProtectedSettings { get; set; }

    public int IntervalMinutes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastRunAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    public string? LastError { get; set; }
    public long? LastRowsWritten { get; set; }
}

/// <summary>How far a store's table has been copied to its organisation's warehouse: the (time, id) of the last row written.</summary>
public sealed class WarehouseWatermarkRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }

    /// <summary>orders (with their lines) or refunds.</summary>
    public required string Table { get; set; }

    public DateTime CursorAt { get; set; }
    public required string CursorId { get; set; }
}

/// <summary>The warehouse tables of the app database, configured from <c>AppDataModel</c>.</summary>
public static class WarehouseModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<WarehouseConnectionRow>(e =>
        {
            e.ToTable("WarehouseConnections");
            e.HasKey(c => c.TenantId);
        });
        builder.Entity<WarehouseWatermarkRow>(e =>
        {
            e.ToTable("WarehouseWatermarks");
            e.HasKey(w => new { w.TenantId, w.StoreId, w.Table });
        });
    }
}
