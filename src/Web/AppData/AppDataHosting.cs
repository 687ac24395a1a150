using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.AppData;

/// <summary>Registration of the engine's ports that the app database serves beside the capabilities' own stores.</summary>
public static class AppDataHosting
{
    /// <summary>The store directory in the app database (the context itself is registered with identity).</summary>
    public static IServiceCollection AddStoreDirectory(this IServiceCollection services)
    {
        services.TryAddSingleton<IStoreDirectory, EfStoreDirectory>();
        return services;
    }
}
