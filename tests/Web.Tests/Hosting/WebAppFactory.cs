using Microsoft.AspNetCore.SignalR.Client;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>A store the test app knows, with its webhook secret.</summary>
public sealed record TestStore(string TenantId, string StoreId, string ShopDomain, string Currency, string TimeZone, string WebhookSecret)
{
    /// <summary>The store as a host declares it in configuration, named "tenant store".</summary>
    public HostedStore Hosted => new(TenantId, StoreId, $"{TenantId} {StoreId}", ShopDomain, Currency, TimeZone, WebhookSecret);

    public static readonly TestStore London = new("acme", "uk-shop", "acme-uk.myshopify.com", "GBP", "Europe/London", "london-secret-0123456789");
    public static readonly TestStore NewYork = new("acme", "us-shop", "acme-us.myshopify.com", "USD", "America/New_York", "newyork-secret-0123456789");
    public static readonly TestStore Other = new("globex", "shop", "globex.myshopify.com", "EUR", "Europe/Berlin", "globex-secret-0123456789");

    public static readonly TestStore[] All = [London, NewYork, Other];
}

/// <summary>The shared <see cref="SalesDashHost"/> with nothing added; its name is kept for the tests that use it.</summary>
public sealed class WebAppFactory : SalesDashHost
{
    /// <summary>15:30 in London, 10:30 in New York: well inside both stores' day.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    /// <summary>A SignalR connection to the dashboard hub, signed in as an Owner of every organisation.</summary>
    public HubConnection CreateHubConnection() => this.CreateSignedInHubConnection();
}
