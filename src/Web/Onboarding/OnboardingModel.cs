using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Onboarding;

/// <summary>An organisation's way through the onboarding checklist; one row per organisation, made on its first choice.</summary>
public sealed class OnboardingRow
{
    public required string TenantId { get; set; }

    /// <summary>JSON array of the today-metrics the person chose to track; null until chosen.</summary>
    public string? TrackedMetrics { get; set; }

    public DateTime? TrackingChosenAt { get; set; }

    public string? TemplateId { get; set; }

    /// <summary>The dashboard the template made, so choosing again changes it instead of adding another.</summary>
    public string? DashboardId { get; set; }

    public DateTime? TemplateChosenAt { get; set; }

    /// <summary>When a store of the organisation was first seen with events: the checklist's last step.</summary>
    public DateTime? LiveAt { get; set; }
}

/// <summary>A store connected through the Shopify app install: granted scopes, and when Shopify said the app was removed.</summary>
public sealed class ShopifyInstallationRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string ShopDomain { get; set; }
    public required string Scopes { get; set; }
    public DateTime InstalledAt { get; set; }

    /// <summary>Set by the app/uninstalled webhook: the token is gone and the store is disconnected until installed again.</summary>
    public DateTime? UninstalledAt { get; set; }
}

/// <summary>The onboarding tables; called from the app data model.</summary>
public static class OnboardingModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<OnboardingRow>(e =>
        {
            e.ToTable("Onboarding");
            e.HasKey(o => o.TenantId);
            e.Property(o => o.TenantId).HasMaxLength(64);
            e.Property(o => o.TemplateId).HasMaxLength(40);
            e.Property(o => o.DashboardId).HasMaxLength(64);
        });
        builder.Entity<ShopifyInstallationRow>(e =>
        {
            e.ToTable("ShopifyInstallations");
            e.HasKey(i => new { i.TenantId, i.StoreId });
            e.HasIndex(i => i.ShopDomain);
            e.Property(i => i.TenantId).HasMaxLength(64);
            e.Property(i => i.StoreId).HasMaxLength(64);
            e.Property(i => i.ShopDomain).HasMaxLength(255);
        });
    }
}
