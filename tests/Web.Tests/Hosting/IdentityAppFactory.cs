using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// The whole app like <see cref="WebAppFactory"/> (the <see cref="TestStore.All"/> stores, frozen clock) with the
/// given extra settings, e.g. a plan per organisation, a small API-key rate limit, or PostgreSQL for identity.
/// </summary>
public class IdentityAppFactory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-identity-").FullName;

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
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

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}

/// <summary>globex is on Starter (one sales channel, no API access); API keys get 3 requests a minute; mail goes to the loopback SMTP server.</summary>
public sealed class PlansAndLimitsAppFactory() : IdentityAppFactory(Settings())
{
    private static Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["Plans:Tenants:globex"] = "Starter",
            ["Identity:ApiKeyPermits"] = "3",
            ["Identity:ApiKeyWindow"] = "00:01:00",
        };
        if (Environment.GetEnvironmentVariable("SALESDASH_SMTP") is { Length: > 0 } smtp)
        {
            var colon = smtp.LastIndexOf(':');
            settings["Alerts:Delivery:SmtpHost"] = smtp[..colon];
            settings["Alerts:Delivery:SmtpPort"] = smtp[(colon + 1)..];
        }

        return settings;
    }
}
