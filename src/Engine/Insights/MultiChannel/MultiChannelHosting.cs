using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.History;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>Registers multi-channel insight: its reads (served by the history store) and its queries.</summary>
public static class MultiChannelHosting
{
    /// <summary>
    /// Call after the engine (AddSalesDashEngine, which adds history). Insight facts are written by the per-node history
    /// writer from the tenant entities' accepted events, so nothing wraps ingestion here.
    /// </summary>
    public static IServiceCollection AddMultiChannelInsights(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChannelInsightStore>(sp => sp.GetRequiredService<IHistoryStore>() as IChannelInsightStore
            ?? throw new InvalidOperationException($"The registered history store ({sp.GetRequiredService<IHistoryStore>().GetType().Name}) does not keep insight facts."));
        services.TryAddSingleton<IShipmentHistory>(sp => sp.GetRequiredService<IHistoryStore>() as IShipmentHistory
            ?? throw new InvalidOperationException($"The registered history store ({sp.GetRequiredService<IHistoryStore>().GetType().Name}) does not keep shipments."));
        services.TryAddSingleton<ChannelInsightQueries>();
        return services;
    }
}
