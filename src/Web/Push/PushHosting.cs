using SalesDash.Web.Outbound;

namespace SalesDash.Web.Push;

/// <summary>Registration of web push: options, the cluster's VAPID key pair, subscriptions and the outbound client.</summary>
public static class PushHosting
{
    public static IServiceCollection AddPush(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PushOptions>()
            .Bind(configuration.GetSection(PushOptions.Section))
            .Validate(o => o.Problem() is null, "Push options are not valid: Push:VapidPublicKey/VapidPrivateKey must be a matching P-256 pair (or both absent), Push:Subject a mailto: or https: address.")
            .ValidateOnStart();
        services.AddSingleton<VapidKeyProvider>();
        services.AddSingleton<PushSubscriptions>();
        // Endpoints come from browsers, i.e. from users: the outbound policy keeps pushes off internal addresses.
        services.AddTransient<VapidAudienceHandler>();
        services.AddOutboundHttpClient(WebPushAlertNotifier.HttpClientName, (_, client) => client.Timeout = TimeSpan.FromSeconds(30))
            .AddHttpMessageHandler<VapidAudienceHandler>();
        return services;
    }
}
