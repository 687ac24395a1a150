using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// A second SalesDash app for the wallboard and widget tests (<see cref="WallboardAppCollection"/>), started like
/// <see cref="SalesDashApp"/> but with organisations of its own: these tests post orders, and the shared app's stores
/// belong to tests that assert exact totals. The widget tests count today's orders of their organisation, so each has one.
/// </summary>
public sealed class WallboardApp : ServedSalesDash
{
    /// <summary>The wallboard's Shopify store; orders are posted here.</summary>
    public static readonly TestStore Shop = new("wall", "wall-shop", "Wall Shopify", "wall-shop.myshopify.com", "USD", "UTC", $"shpss_wall_{Guid.NewGuid():N}");

    /// <summary>A second channel of the same organisation, so rankings have more than one row.</summary>
    public static readonly TestStore Woo = new("wall", "wall-woo", "Wall Woo", "wall-woo.example", "USD", "UTC", $"woo_wall_{Guid.NewGuid():N}");

    /// <summary>WidgetTests' store, alone in its organisation: the test counts every product, country and order of today.</summary>
    public static readonly TestStore WidgetShop = new("widgets", "widget-shop", "Widget Shop", "widget-shop.myshopify.com", "USD", "UTC", $"shpss_widgets_{Guid.NewGuid():N}");

    /// <summary>InsightsWidgetTests' store, alone in its organisation: the insight compares its revenue with last week's.</summary>
    public static readonly TestStore InsightsShop = new("insights", "insights-shop", "Insights Shop", "insights-shop.myshopify.com", "USD", "UTC", $"shpss_insights_{Guid.NewGuid():N}");

    // The peer benchmark job stays off: PeersWidgetTests publishes the cohort itself and a pass would replace it.
    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted(), Woo.Hosted("WooCommerce"), WidgetShop.Hosted(), InsightsShop.Hosted()],
        Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
    };
}

/// <summary>
/// The wallboard and widget classes share one <see cref="WallboardApp"/>: a start and a stop of the actor system cost
/// seconds of CPU, and each class reads an organisation no other class of the collection posts to (WallboardTests reads
/// its figures before it posts). The classes of a collection run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WallboardAppCollection : ICollectionFixture<WallboardApp>
{
    public const string Name = "Wallboard app";
}
