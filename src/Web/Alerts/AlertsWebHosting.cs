using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.Alerts;
using SalesDash.Web.Outbound;

namespace SalesDash.Web.Alerts;

/// <summary>Registration of alerts for the web host: the engine's rule and alert store plus the three notifiers.</summary>
public static class AlertsWebHosting
{
    /// <summary>Rules and alerts in the app database, webhook retry options, and e-mail (through AddMail's sender), webhook and in-app notifiers.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSalesDashAlerts(configuration);
        services.TryAddSingleton<SalesDash.Web.AppData.EfAlertStore>();
        services.TryAddSingleton<IAlertRuleStore>(sp => sp.GetRequiredService<SalesDash.Web.AppData.EfAlertStore>());
        services.TryAddSingleton<IAlertStore>(sp => sp.GetRequiredService<SalesDash.Web.AppData.EfAlertStore>());
        services.AddOptions<AlertDeliveryOptions>()
            .Bind(configuration.GetSection(AlertDeliveryOptions.Section))
            .Validate(o => o.WebhookRetries >= 0 && o.WebhookFirstDelay >= TimeSpan.Zero && o.WebhookTimeout > TimeSpan.Zero,
                "Alerts:Delivery webhook retries and delays must not be negative.")
            .ValidateOnStart();
        // Tenants choose webhook URLs: the outbound policy keeps them off loopback, private and metadata addresses.
        services.AddOutboundHttpClient(WebhookAlertNotifier.HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertDeliveryOptions>>().Value.WebhookTimeout);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertNotifier, EmailAlertNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertNotifier, WebhookAlertNotifier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertNotifier, ToastAlertNotifier>());
        return services;
    }
}
