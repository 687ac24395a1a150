using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Engine;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Dashboards;

/// <summary>Service registration for dashboards and share links.</summary>
public static class DashboardsHosting
{
    /// <summary>The SQLite dashboard store in {Engine:DataDirectory}/app.db and the wallboard access check.</summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.TryAddSingleton<IDashboardStore>(sp => new SqliteDashboardStore(
            SqliteStoreDirectory.ConnectionStringFor(sp.GetRequiredService<IOptions<EngineOptions>>().Value.DataDirectory),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<WallAccess>();
        return services;
    }
}
