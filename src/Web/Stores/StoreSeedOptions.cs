using System.ComponentModel.DataAnnotations;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Stores;

/// <summary>A store declared in configuration ("Stores" array) and created at start-up.</summary>
public sealed class StoreSeed
{
    [Required] public string TenantId { get; set; } = "";
    [Required] public string StoreId { get; set; } = "";
    [Required] public string Name { get; set; } = "";
    public SalesChannel Channel { get; set; } = SalesChannel.Shopify;
    [Required] public string ShopDomain { get; set; } = "";
    [Required, StringLength(3, MinimumLength = 3)] public string Currency { get; set; } = "";
    [Required] public string TimeZone { get; set; } = "";
    [Required, MinLength(8)] public string WebhookSecret { get; set; } = "";
}
