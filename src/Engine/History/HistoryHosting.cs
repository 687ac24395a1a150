using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Engine.History.DuckDb;

namespace SalesDash.Engine.History;

/// <summary>Registers the history store (DuckDB or ClickHouse, per Engine:Snapshots), its queries and the retention job.</summary>
public static class HistoryHosting
{
    /// <summary>
    /// The one store serves both interfaces: <see cref="IMinuteSnapshotStore"/> for the live path's minute rows and
    /// <see cref="IHistoryStore"/> for facts. Replaces any minute store registered earlier, so the order of calls does not matter.
    /// </summary>
    public static IServiceCollection AddSalesDashHistory(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<HistoryOptions>()
            .Bind(configuration.GetSection(HistoryOptions.Section))
            .Validate(o => o.RetentionInterval > TimeSpan.Zero, "History:RetentionInterval must be positive.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHistoryStore>(sp => CreateStore(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.Replace(ServiceDescriptor.Singleton<IMinuteSnapshotStore>(sp => sp.GetRequiredService<IHistoryStore>()));
        services.TryAddSingleton<HistoryQueries>();
        services.TryAddSingleton<ICustomerHistory>(sp => sp.GetRequiredService<IHistoryStore>() as ICustomerHistory
            ?? throw new InvalidOperationException($"The registered history store ({sp.GetRequiredService<IHistoryStore>().GetType().Name}) does not answer customer queries."));
        services.TryAddSingleton<CustomerQueries>();
        services.TryAddSingleton<IHistoryRetentionPolicy, ConfiguredHistoryRetention>();
        services.TryAddSingleton<HistoryRetentionJob>();
        // On one node of the cluster: the cluster-jobs singleton runs it.
        services.AddClusterJob<HistoryRetentionService>();
        return services;
    }

    /// <summary>The store Engine:Snapshots names: the embedded DuckDB file by default, ClickHouse with its connection string.</summary>
    public static IHistoryStore CreateStore(EngineOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Snapshots switch
        {
            SnapshotProvider.ClickHouse when !string.IsNullOrWhiteSpace(options.SnapshotConnectionString) =>
                new ClickHouseHistoryStore(options.SnapshotConnectionString, time),
            SnapshotProvider.ClickHouse => throw new OptionsValidationException(EngineOptions.Section, typeof(EngineOptions),
                ["Engine:Snapshots=ClickHouse needs Engine:SnapshotConnectionString (e.g. Host=127.0.0.1;Port=8123;Database=salesdash)."]),
            _ => new DuckDbHistoryStore(string.IsNullOrWhiteSpace(options.SnapshotConnectionString)
                ? DuckDbMinuteSnapshotStore.ConnectionStringFor(options.DataDirectory)
                : options.SnapshotConnectionString),
        };
    }
}
