using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Plans;

/// <summary>
/// A SalesDash app for the plan and branding tests, started like <see cref="SalesDashApp"/> but with organisations of
/// its own on known plans (configured defaults): one on Scale (white-label), one on Starter. Branding one organisation
/// of the shared app would change what other tests see.
/// </summary>
public sealed class PlansApp : ServedSalesDash
{
    /// <summary>An organisation on Scale, which includes white-label.</summary>
    public static readonly TestStore Branded = new("brand-co", "brand-shop", "Brand Shop", "brand-shop.myshopify.com", "USD", "UTC", $"shpss_brand_{Guid.NewGuid():N}");

    /// <summary>An organisation on Starter, which does not.</summary>
    public static readonly TestStore Starter = new("starter-co", "starter-shop", "Starter Shop", "starter-shop.myshopify.com", "USD", "UTC", $"shpss_starter_{Guid.NewGuid():N}");

    // The owner of every organisation (ServedSalesDash) is the owner of both.
    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Branded.Hosted(), Starter.Hosted()],
        Settings = new Dictionary<string, string> { ["Plans:Tenants:brand-co"] = "Scale", ["Plans:Tenants:starter-co"] = "Starter" },
    };
}
