using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Imports;

/// <summary>
/// An import in the app database, so any node can answer for it and another node can finish it after a restart. The
/// node running it holds a lease (<see cref="ClaimedBy"/> until <see cref="LeaseUntil"/>) and renews it as it goes.
/// </summary>
public sealed class ImportJobRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Format { get; set; }
    public required string FileName { get; set; }

    /// <summary><see cref="ImportSettings"/> as JSON: layout or mapping, and date order.</summary>
    public required string Settings { get; set; }

    public required string Status { get; set; }
    public long Bytes { get; set; }
    public int TotalRows { get; set; }
    public int RowsDone { get; set; }
    public int EventsAccepted { get; set; }
    public int EventsDuplicate { get; set; }
    public int ErrorCount { get; set; }

    /// <summary>The first <see cref="ImportJob.MaxErrorsShown"/> rejected rows as JSON.</summary>
    public required string Errors { get; set; }

    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? Failure { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTime? LeaseUntil { get; set; }
}

/// <summary>One piece of an uploaded file, so neither the upload nor the import holds the file in memory whole.</summary>
public sealed class ImportChunkRow
{
    public required string JobId { get; set; }
    public int Seq { get; set; }
    public required byte[] Data { get; set; }
}

/// <summary>The import tables; called from <see cref="AppData.AppDataModel.Configure"/>.</summary>
public static class ImportRows
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<ImportJobRow>(e =>
        {
            e.ToTable("ImportJobs");
            e.HasKey(j => j.Id);
            e.HasIndex(j => new { j.Status, j.QueuedAt });
            e.HasIndex(j => new { j.TenantId, j.Status });
        });
        builder.Entity<ImportChunkRow>(e =>
        {
            e.ToTable("ImportChunks");
            e.HasKey(c => new { c.JobId, c.Seq });
        });
    }
}
