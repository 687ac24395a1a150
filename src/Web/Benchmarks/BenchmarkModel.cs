using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Benchmarks;

/// <summary>What an organisation said about benchmarks: its industry and whether it takes part (null: it has not chosen).</summary>
public sealed class BenchmarkProfileRow
{
    public required string TenantId { get; set; }
    public string? Industry { get; set; }
    public bool? TakesPart { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>
/// The quartiles of one metric in one cohort, as the last benchmark run published them. Only cohorts with at least
/// <see cref="PeerCohorts.MinimumPeers"/> contributors are ever written, and no per-organisation figure is kept.
/// </summary>
public sealed class BenchmarkCohortRow
{
    public required string Level { get; set; }
    public required string Industry { get; set; }
    public required string Band { get; set; }
    public required string Metric { get; set; }
    public int Contributors { get; set; }
    public decimal P25 { get; set; }
    public decimal P50 { get; set; }
    public decimal P75 { get; set; }
    public DateTime ComputedAt { get; set; }
}

/// <summary>The benchmark tables; called from <see cref="AppData.AppDataModel"/>.</summary>
public static class BenchmarkModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<BenchmarkProfileRow>(e =>
        {
            e.ToTable("BenchmarkProfiles");
            e.HasKey(p => p.TenantId);
        });
        builder.Entity<BenchmarkCohortRow>(e =>
        {
            e.ToTable("BenchmarkCohorts");
            e.HasKey(c => new { c.Level, c.Industry, c.Band, c.Metric });
        });
    }
}
