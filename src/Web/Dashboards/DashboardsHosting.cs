using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SalesDash.Web.Dashboards;

/// <summary>Service registration for dashboards and share links.</summary>
public static class DashboardsHosting
{
    /// <summary>The dashboard store in the app database, the wallboard access check and the order feed's reads.</summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.TryAddSingleton<IDashboardStore, EfDashboardStore>();
        services.TryAddSingleton<WallAccess>();
        services.TryAddSingleton<OrderFeed>();
        return services;
    }
}
