using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.History;

/// <summary>
/// A SalesDash app of its own for the history tests, started like <see cref="SalesDashApp"/>: an import puts days of
/// orders into a store, and the shared app's stores belong to tests that assert exact totals for today.
/// </summary>
public sealed class HistoryPageApp : ServedSalesDash
{
    /// <summary>The store history is imported into; UTC so the store's days are the test's days.</summary>
    public static readonly TestStore Shop = new("hist", "hist-shop", "History Shop", "hist-shop.myshopify.com", "USD", "UTC", $"shpss_hist_{Guid.NewGuid():N}");

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted()],
        // Imported facts reach the history store within a fraction of a second rather than the production interval.
        Settings = new Dictionary<string, string> { ["Engine:SnapshotFlushInterval"] = "00:00:00.200" },
    };
}
