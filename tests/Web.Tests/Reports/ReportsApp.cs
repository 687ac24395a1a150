using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Reports;

/// <summary>
/// The whole app with the <see cref="TestStore.All"/> stores, a frozen clock and reports mailed to <paramref name="smtp"/>
/// (host:port). Two apps may share a data folder, one after the other, as a server restarted with new settings does.
/// </summary>
public sealed class ReportsApp(string dataDirectory, string smtp, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", dataDirectory);
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        var colon = smtp.LastIndexOf(':');
        builder.UseSetting("Alerts:Delivery:SmtpHost", smtp[..colon]);
        builder.UseSetting("Alerts:Delivery:SmtpPort", smtp[(colon + 1)..]);
        builder.UseSetting("Alerts:Delivery:From", "Reports <reports@salesdash.test>");
        builder.UseSetting("Reports:RenderTimeout", "00:01:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
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
}
