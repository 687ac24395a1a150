using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;

namespace SalesDash.Web.Plans;

/// <summary>Plan settings, bound from the "Plans" configuration section.</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    /// <summary>A self-hosted install: every organisation is on Enterprise and nothing is billed.</summary>
    public bool SelfHosted { get; set; }

    /// <summary>An Enterprise licence key; any non-empty licence is treated as self-hosted.</summary>
    public string? Licence { get; set; }

    /// <summary>How long a new organisation's trial lasts (14 days, as sold).</summary>
    public TimeSpan TrialLength { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The tier a trial gives (Growth, as sold).</summary>
    public PlanTier TrialTier { get; set; } = PlanTier.Growth;

    /// <summary>Tier pinned per organisation id by the operator, e.g. Plans:Tenants:acme=Starter; wins over everything.</summary>
    public Dictionary<string, PlanTier> Tenants { get; } = new(StringComparer.Ordinal);

    /// <summary>How long tracked revenue may stay over the month's cap, counted from the owner's e-mail, before the live view asks for an upgrade.</summary>
    public TimeSpan RevenueGrace { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long after the retention warning e-mail history past the tier's retention is first deleted.</summary>
    public TimeSpan RetentionWarningLead { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often trial reminders, retention warnings and revenue-cap e-mails are checked.</summary>
    public TimeSpan NoticeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether this node runs the notice checks (tests run them on demand).</summary>
    public bool NoticesEnabled { get; set; } = true;

    public bool IsSelfHosted => SelfHosted || !string.IsNullOrWhiteSpace(Licence);
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
        services.AddOptions<PlanOptions>().Bind(configuration.GetSection(PlanOptions.Section))
            .Validate(o => o.TrialLength >= TimeSpan.Zero, "Plans:TrialLength must not be negative.")
            .Validate(o => o.RevenueGrace >= TimeSpan.Zero && o.RetentionWarningLead >= TimeSpan.Zero && o.NoticeInterval > TimeSpan.Zero,
                "Plans:RevenueGrace and Plans:RetentionWarningLead must not be negative, Plans:NoticeInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<IPlanStore, EfPlanStore>();
        services.TryAddSingleton<IBrandingStore, EfBrandingStore>();
        services.TryAddSingleton<IPlanService, OrganisationPlans>();
        services.TryAddSingleton<IOrganisationBranding, StoredBranding>();
        services.TryAddSingleton<PlanUsage>();
        services.AddOptions<StripeBillingOptions>().Bind(configuration.GetSection(StripeBillingOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.WebhookSecret),
                "Plans:Stripe:SecretKey without Plans:Stripe:WebhookSecret would sell tiers that no webhook can ever grant.")
            .ValidateOnStart();
        services.AddHttpClient<StripeClient>(client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<RevenueMeter>();
        services.TryAddSingleton<PlanNotices>();
        services.TryAddSingleton<PlanNoticeJob>();
        if (configuration.GetValue(PlanOptions.Section + ":" + nameof(PlanOptions.NoticesEnabled), true))
        {
            // A cluster job: trial reminders, revenue notices and retention warnings are sent by one node, never by each.
            services.AddSingleton<IClusterJob, PlanNoticeService>();
        }
        // Replaces the engine's "every rule runs": rules above the tier are kept but not evaluated.
        services.Replace(ServiceDescriptor.Singleton<SalesDash.Engine.Alerts.IAlertRuleAllowance, PlanAlertRuleAllowance>());
        services.TryAddSingleton<ConfiguredHistoryRetention>();
        services.Replace(ServiceDescriptor.Singleton<IHistoryRetentionPolicy, PlanHistoryRetention>());
        return services;
    }
}
