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
        // Every channel asks the pauses first ("pause all alerts until …"), so a paused store or organisation hears nothing.
        services.TryAddSingleton<AlertPauses>();
        services.TryAddSingleton<AlertSnoozes>();
        services.TryAddSingleton<AlertRuleHealth>();
        services.TryAddSingleton<StoreTradingHours>();
        services.TryAddSingleton<DefaultAlertRules>();
        services.TryAddSingleton<AlertSnoozeWaker>();
        services.AddOptions<AlertSnoozeOptions>()
            .Bind(configuration.GetSection(AlertSnoozeOptions.Section))
            .Validate(o => o.CheckInterval >= TimeSpan.Zero, "Alerts:Snooze:CheckInterval must not be negative.")
            .ValidateOnStart();
        services.AddHostedService<AlertSnoozeWakerService>();
        services.AddSingleton<IAlertNotifier>(sp => Pausable<EmailAlertNotifier>(sp));
        services.AddSingleton<IAlertNotifier>(sp => Pausable<WebhookAlertNotifier>(sp));
        services.AddSingleton<IAlertNotifier>(sp => Pausable<ToastAlertNotifier>(sp));
        // The toast as a web push to the members' browsers, for a phone whose page is closed (src/Web/Push, AddPush).
        services.AddSingleton<IAlertNotifier>(sp => Pausable<SalesDash.Web.Push.WebPushAlertNotifier>(sp));
        return services;
    }

    private static PausableAlertNotifier Pausable<TNotifier>(IServiceProvider services)
        where TNotifier : IAlertNotifier =>
        new(ActivatorUtilities.CreateInstance<TNotifier>(services), services.GetRequiredService<AlertPauses>(),
            services.GetRequiredService<ILogger<PausableAlertNotifier>>(), services.GetRequiredService<AlertSnoozes>());
}
