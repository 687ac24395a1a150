using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>Wires Kafka ingestion into a host when Kafka:BootstrapServers is configured.</summary>
public static class KafkaIngestionHosting
{
    /// <summary>
    /// Binds and validates <see cref="KafkaOptions"/>. When Kafka is configured, webhooks are acknowledged once
    /// Kafka has the event (<see cref="KafkaCommerceEventIngest"/> replaces the embedded ingest, whichever was
    /// registered first) and <see cref="KafkaIngestionService"/> feeds the tenant entities from the topic.
    /// Without it nothing else changes.
    /// </summary>
    public static IServiceCollection AddKafkaIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<KafkaOptions>()
            .Bind(configuration.GetSection(KafkaOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());

        var configured = configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>();
        if (configured is not { Enabled: true })
        {
            return services;
        }

        services.Replace(ServiceDescriptor.Singleton<ICommerceEventIngest, KafkaCommerceEventIngest>());
        services.TryAddSingleton(sp => new KafkaIngestionMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<KafkaIngestionService>();
        return services;
    }
}
