using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Alerts;

/// <summary>Alert evaluation settings, bound from the "Alerts" section.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>
    /// How often an evaluator reads its own minute clock: an idle (passivated) store's minutes close as empty at most this
    /// late, and a running store that stopped publishing is asked. Minutes of a running store arrive as the entity closes them.
    /// </summary>
    public TimeSpan ClockInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a catch-up pull waits for the store's entity (its recovery included).</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the set of watched stores is read again (rule changes through the API apply at once).</summary>
    public TimeSpan RulesRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Wires alert rules, alerts and their evaluation into a host.</summary>
public static class AlertsHosting
{
    /// <summary>Options; the rule and alert stores (<see cref="IAlertRuleStore"/>, <see cref="IAlertStore"/>) and the notifiers (<see cref="IAlertNotifier"/>) are added by the host.</summary>
    public static IServiceCollection AddSalesDashAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AlertsOptions>()
            .Bind(configuration.GetSection(AlertsOptions.Section))
            .Validate(o => o.ClockInterval > TimeSpan.Zero && o.PullTimeout > TimeSpan.Zero && o.RulesRefreshInterval > TimeSpan.Zero,
                "Alerts:ClockInterval, Alerts:PullTimeout and Alerts:RulesRefreshInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAlertRuleAllowance, EveryAlertRuleRuns>();
        return services;
    }

    /// <summary>
    /// The per-node delivery actor, the alert coordinator singleton (no proxy) and, registered as
    /// <see cref="AlertCoordinatorActor"/>, the per-node publisher that passes rule changes on to it; call after the
    /// tenant stores are added.
    /// </summary>
    public static AkkaConfigurationBuilder AddAlertEvaluation(this AkkaConfigurationBuilder builder, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithActors((system, registry, resolver) =>
            {
                var delivery = system.ActorOf(resolver.Props<AlertDeliveryActor>(), "alert-delivery");
                registry.Register<AlertDeliveryActor>(delivery);
                registry.Register<AlertCoordinatorActor>(system.ActorOf(Props.Create(() => new AlertRulesChangedPublisher()), "alert-rules-changed"));
            })
            .WithSingleton<AlertCoordinatorSingleton>(
                "alert-coordinator",
                (_, registry, resolver) => AlertCoordinatorActor.PropsFor(
                    new AlertEvaluation(
                        registry.Get<TenantStoreRegion>(),
                        registry.Get<AlertDeliveryActor>(),
                        resolver.GetService<IAlertRuleStore>(),
                        resolver.GetService<IAlertRuleAllowance>(),
                        resolver.GetService<IAlertStore>(),
                        resolver.GetService<IOptions<AlertsOptions>>().Value,
                        resolver.GetService<TimeProvider>()),
                    resolver.GetService<IStoreDirectory>()),
                new ClusterSingletonOptions { Role = role },
                createProxyToo: false);
    }
}

/// <summary>Registry key of the alert coordinator's singleton manager.</summary>
public sealed class AlertCoordinatorSingleton;
