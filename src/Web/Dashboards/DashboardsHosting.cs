using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SalesDash.Web.Dashboards;

/// <summary>Service registration for dashboards and share links.</summary>
public static class DashboardsHosting
{
    /// <summary>The dashboard store in the app database and the wallboard access check.</summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.TryAddSingleton<IDashboardStore, EfDashboardStore>();
        services.TryAddSingleton<WallAccess>();
        return services;
    }
}
