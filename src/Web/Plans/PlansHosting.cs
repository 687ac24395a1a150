using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

/// <summary>Plans as configuration states them: the operator's word for self-hosted installs.</summary>
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
    public static IServiceCollection AddPlans(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlanOptions>().Bind(configuration.GetSection(PlanOptions.Section));
        services.TryAddSingleton<IPlanService, ConfiguredPlans>();
        services.TryAddSingleton<IOrganisationBranding, UnbrandedOrganisations>();
        return services;
    }
}
