using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Engine.History;

namespace SalesDash.Web.Plans;

/// <summary>Plan settings, bound from the "Plans" configuration section.</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    /// <summary>The tier of organisations not listed in <see cref="Tenants"/>.</summary>
    public PlanTier Default { get; set; } = PlanTier.Enterprise;

    /// <summary>Tier per organisation id, e.g. Plans:Tenants:acme=Starter.</summary>
    public Dictionary<string, PlanTier> Tenants { get; } = new(StringComparer.Ordinal);
}

/// <summary>Plans as configuration states them: the operator's word for organisations that never chose a tier.</summary>
public sealed class ConfiguredPlans(IOptionsMonitor<PlanOptions> options) : IPlanService
{
    public Task<PlanLimits> GetLimitsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        return Task.FromResult(PlanCatalog.For(current.Tenants.GetValueOrDefault(tenantId, current.Default)));
    }
}

/// <summary>Branding when no organisation has set its own: SalesDash's.</summary>
public sealed class UnbrandedOrganisations : IOrganisationBranding
{
    public Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken) => Task.FromResult(Branding.SalesDash);
}

public static class PlansHosting
{
    /// <summary>
    /// Plans stored per organisation in the app database over the configured defaults, branding where
    /// the plan allows it, and history retention from the plan.
    /// </summary>
    public static IServiceCollection AddPlans(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlanOptions>().Bind(configuration.GetSection(PlanOptions.Section));
        services.TryAddSingleton<ConfiguredPlans>();
        services.TryAddSingleton<IPlanStore, EfPlanStore>();
        services.TryAddSingleton<IBrandingStore, EfBrandingStore>();
        services.TryAddSingleton<IPlanService, StoredPlans>();
        services.TryAddSingleton<IOrganisationBranding, StoredBranding>();
        services.TryAddSingleton<PlanUsage>();
        services.TryAddSingleton<ConfiguredHistoryRetention>();
        services.Replace(ServiceDescriptor.Singleton<IHistoryRetentionPolicy, PlanHistoryRetention>());
        return services;
    }
}
