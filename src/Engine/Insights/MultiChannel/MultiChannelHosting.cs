using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Ingestion;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>Registers multi-channel insight: its store, its queries and the recorder on the ingestion boundary.</summary>
public static class MultiChannelHosting
{
    /// <summary>
    /// Call after the engine (and Kafka ingestion, when used) are added: it wraps whichever <see cref="ICommerceEventIngest"/>
    /// is registered at that point.
    /// </summary>
    public static IServiceCollection AddMultiChannelInsights(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChannelInsightStore>(sp =>
            new SqliteChannelInsightStore(SqliteChannelInsightStore.ConnectionStringFor(sp.GetRequiredService<IOptions<EngineOptions>>().Value.DataDirectory)));
        services.TryAddSingleton<ChannelInsightQueries>();

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(ICommerceEventIngest))
            ?? throw new InvalidOperationException("Add the engine (AddSalesDashEngine) before multi-channel insights: there is no ingestion to record from.");
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return services;
        }

        services.AddSingleton<Marker>();
        if (inner.ImplementationType is { } type)
        {
            // Registered as itself, so the container still creates and disposes it (Kafka's producer must be flushed on stop).
            services.TryAddSingleton(type);
        }

        services.Replace(ServiceDescriptor.Singleton<ICommerceEventIngest>(sp => new InsightRecordingIngest(
            Resolve(sp, inner), sp.GetRequiredService<IChannelInsightStore>(), sp.GetRequiredService<ILogger<InsightRecordingIngest>>())));
        return services;
    }

    private static ICommerceEventIngest Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as ICommerceEventIngest
        ?? (descriptor.ImplementationFactory is { } factory
            ? (ICommerceEventIngest)factory(sp)
            : (ICommerceEventIngest)sp.GetRequiredService(descriptor.ImplementationType!));

    /// <summary>Says the recorder is in place, so a second call does not wrap it twice.</summary>
    private sealed class Marker;
}
