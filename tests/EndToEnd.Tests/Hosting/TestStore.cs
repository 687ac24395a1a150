using SalesDash.Contracts.Commerce;

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>A Shopify store the app under test is configured with; each test owns one so tests never share figures.</summary>
public sealed record TestStore(string TenantId, string StoreId, string Name, string ShopDomain, string Currency, string TimeZone, string WebhookSecret)
{
    public StoreRef Ref => new(TenantId, StoreId);

    /// <summary>The store as a host declares it in configuration.</summary>
    public HostedStore Hosted(string channel = "Shopify") => new(TenantId, StoreId, Name, ShopDomain, Currency, TimeZone, WebhookSecret, channel);

    public string DashboardPath => $"/dashboards/{Uri.EscapeDataString(TenantId)}/{Uri.EscapeDataString(StoreId)}";

    /// <summary>Store used by the revenue test.</summary>
    public static TestStore Revenue { get; } = Create("revenue-shop");

    /// <summary>Store used by the signature test.</summary>
    public static TestStore Signatures { get; } = Create("signature-shop");

    public static IReadOnlyList<TestStore> All { get; } = [Revenue, Signatures];

    // UTC keeps "today" the same day for the server, the page and the test, whatever zone the machine is in.
    private static TestStore Create(string storeId) =>
        new("e2e", storeId, $"E2E {storeId}", $"{storeId}.myshopify.com", "USD", "UTC", $"shpss_{storeId}_{Guid.NewGuid():N}");
}
