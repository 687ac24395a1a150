using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>What a <see cref="SalesDashHost"/> differs in: extra configuration and services; everything else is shared.</summary>
public sealed record SalesDashHostOptions
{
    /// <summary>Configuration on top of the host's own (e.g. a plan per organisation, PostgreSQL, a provider URL).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Services swapped in after the app's own (fakes, handlers), after the frozen clock.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Whether the <see cref="TestStore.All"/> stores are declared in configuration.</summary>
    public bool WithTestStores { get; init; } = true;
}

/// <summary>
/// The one test host of Web.Tests: the whole app in memory (TestServer) with a fresh data folder, no demo, plans
/// out of the way (self-hosted), the <see cref="TestStore.All"/> stores and a frozen clock at
/// <see cref="WebAppFactory.Now"/>, so "today" and "last week" are fixed whatever the machine's time. What a test
/// needs beyond that comes in through <see cref="SalesDashHostOptions"/> or an override of
/// <see cref="ConfigureServices"/>, not through another copy of this class.
/// </summary>
public class SalesDashHost(SalesDashHostOptions? options = null) : WebApplicationFactory<Program>
{
    private readonly SalesDashHostOptions _options = options ?? new SalesDashHostOptions();

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("salesdash-host-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", DataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        if (_options.WithTestStores)
        {
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
        }

        foreach (var (key, value) in _options.Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            _options.Services?.Invoke(services);
            ConfigureServices(services);
        });
    }

    /// <summary>For hosts that swap services that belong to the instance (a fake upstream the test drives).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
