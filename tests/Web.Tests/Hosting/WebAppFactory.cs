using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>A store the test app knows, with its webhook secret.</summary>
public sealed record TestStore(string TenantId, string StoreId, string ShopDomain, string Currency, string TimeZone, string WebhookSecret)
{
    public static readonly TestStore London = new("acme", "uk-shop", "acme-uk.myshopify.com", "GBP", "Europe/London", "london-secret-0123456789");
    public static readonly TestStore NewYork = new("acme", "us-shop", "acme-us.myshopify.com", "USD", "America/New_York", "newyork-secret-0123456789");
    public static readonly TestStore Other = new("globex", "shop", "globex.myshopify.com", "EUR", "Europe/Berlin", "globex-secret-0123456789");

    public static readonly TestStore[] All = [London, NewYork, Other];
}

/// <summary>
/// The whole app in memory (TestServer) with a fresh data folder, no demo, the <see cref="TestStore.All"/> stores,
/// and a frozen clock so "today" and "last week" are fixed whatever the machine's time.
/// </summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    /// <summary>15:30 in London, 10:30 in New York: well inside both stores' day.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-web-").FullName;

    public FakeTimeProvider Clock { get; } = new(Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        foreach (var (store, index) in TestStore.All.Select((s, i) => (s, i)))
        {
            var prefix = $"Stores:{index}:";
            builder.UseSetting(prefix + "TenantId", store.TenantId);
            builder.UseSetting(prefix + "StoreId", store.StoreId);
            builder.UseSetting(prefix + "Name", $"{store.TenantId} {store.StoreId}");
            builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
            builder.UseSetting(prefix + "Currency", store.Currency);
            builder.UseSetting(prefix + "TimeZone", store.TimeZone);
            builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A SignalR connection to the dashboard hub, signed in as an Owner of every organisation.</summary>
    public HubConnection CreateHubConnection() => this.CreateSignedInHubConnection();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
