using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// A second SalesDash app for the wallboard tests, started like <see cref="SalesDashApp"/> but with an organisation
/// of its own: these tests post orders, and the shared app's stores belong to tests that assert exact totals.
/// </summary>
public sealed class WallboardApp : ServedSalesDash
{
    /// <summary>The wallboard's Shopify store; orders are posted here.</summary>
    public static readonly TestStore Shop = new("wall", "wall-shop", "Wall Shopify", "wall-shop.myshopify.com", "USD", "UTC", $"shpss_wall_{Guid.NewGuid():N}");

    /// <summary>A second channel of the same organisation, so rankings have more than one row.</summary>
    public static readonly TestStore Woo = new("wall", "wall-woo", "Wall Woo", "wall-woo.example", "USD", "UTC", $"woo_wall_{Guid.NewGuid():N}");

    // The peer benchmark job stays off: PeersWidgetTests publishes the cohort itself and a pass would replace it.
    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted(), Woo.Hosted("WooCommerce")],
        Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
    };
}
