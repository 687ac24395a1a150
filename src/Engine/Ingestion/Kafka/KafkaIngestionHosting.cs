using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>Wires Kafka ingestion into a host when Kafka:BootstrapServers is configured.</summary>
public static class KafkaIngestionHosting
{
    /// <summary>Room for the last commit and the group leave after the final checkpoint: broker round trips, not entity work.</summary>
    private static readonly TimeSpan CommitOnLeave = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// When Kafka is configured, gives the consumer's stop (a task in coordinated shutdown's before-service-unbind phase)
    /// as long as its own waits can take: the deliveries in flight and the entities' final checkpoint are each an ask of
    /// <see cref="EngineOptions.AskTimeout"/>, then the commit as the consumer leaves. Akka's default phase timeout (5 s)
    /// ended the stop before it committed on a loaded machine, and shutdown then stopped the entities under it: nothing
    /// folded since the last checkpoint round was committed, so the next owner replayed it all.
    /// </summary>
    public static AkkaConfigurationBuilder AddKafkaIngestionStop(this AkkaConfigurationBuilder builder, IServiceProvider sp)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sp);
        if (sp.GetService<IOptions<KafkaOptions>>()?.Value is not { Enabled: true })
        {
            return builder;
        }

        var askTimeout = sp.GetRequiredService<IOptions<EngineOptions>>().Value.AskTimeout;
        return builder.WithShutdownPhaseTimeout(CoordinatedShutdown.PhaseBeforeServiceUnbind, (2 * askTimeout) + CommitOnLeave);
    }
}
