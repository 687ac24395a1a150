using System.ComponentModel.DataAnnotations;

namespace SalesDash.Web.Demo;

/// <summary>The demo tenant and the replay that feeds it ("Demo" section); off unless Enabled.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    [Required] public string TenantId { get; set; } = "demo";
    [Required] public string StoreId { get; set; } = "demo-shop";
    [Required] public string StoreName { get; set; } = "Demo Gift Shop (UK)";
    [Required] public string ShopDomain { get; set; } = "demo-gift-shop.myshopify.com";

    /// <summary>The data set's own currency and zone: a UK retailer trading in pounds.</summary>
    [Required] public string Currency { get; set; } = "GBP";

    [Required] public string TimeZone { get; set; } = "Europe/London";

    /// <summary>The Online Retail CSV (plain or gzip); empty means the copy shipped with the server.</summary>
    public string? DatasetPath { get; set; }

    /// <summary>Days before today that are backfilled at start, so "same time last week" has data. 7 is the least that works.</summary>
    [Range(0, 60)] public int HistoryDays { get; set; } = 7;

    /// <summary>Webhooks in flight at once while backfilling.</summary>
    [Range(1, 64)] public int BackfillConcurrency { get; set; } = 8;

    /// <summary>Where the replay posts; empty means this server's own first HTTP address.</summary>
    public string? BaseUrl { get; set; }
}
