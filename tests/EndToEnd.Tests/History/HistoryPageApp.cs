using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.History;

/// <summary>
/// A SalesDash app of its own for the import tests (<see cref="HistoryAppCollection"/>), started like
/// <see cref="SalesDashApp"/>: an import puts days of orders into a store, and the shared app's stores belong to tests
/// that assert exact totals for today. Each class imports into a store of its own organisation, so one app serves both.
/// </summary>
public sealed class HistoryPageApp : ServedSalesDash
{
    /// <summary>The store HistoryImportTests imports into; UTC so the store's days are the test's days.</summary>
    public static readonly TestStore Shop = new("hist", "hist-shop", "History Shop", "hist-shop.myshopify.com", "USD", "UTC", $"shpss_hist_{Guid.NewGuid():N}");

    /// <summary>The store ImportMappingTests imports into, in an organisation of its own so its rows never reach <see cref="Shop"/>'s figures.</summary>
    public static readonly TestStore MappingShop = new("map", "map-shop", "Mapping Shop", "map-shop.myshopify.com", "USD", "UTC", $"shpss_map_{Guid.NewGuid():N}");

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted(), MappingShop.Hosted()],
        // Imported facts reach the history store within a fraction of a second rather than the production interval.
        Settings = new Dictionary<string, string> { ["Engine:SnapshotFlushInterval"] = "00:00:00.200" },
    };
}

/// <summary>
/// The classes that import through the page share one <see cref="HistoryPageApp"/>: a start and a stop of the actor
/// system cost seconds of CPU, and each class has a store of its own. The classes of a collection run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HistoryAppCollection : ICollectionFixture<HistoryPageApp>
{
    public const string Name = "History app";
}
