using SalesDash.Connectors.Polling;

namespace SalesDash.Web.Channels;

/// <summary>Channel connections, pollers and money, bound from the "Channels" configuration section.</summary>
public sealed class ChannelsOptions
{
    public const string Section = "Channels";

    /// <summary>The organisations' reporting currency unless <see cref="ReportingCurrencies"/> names one for the tenant.</summary>
    public string? ReportingCurrency { get; set; }

    /// <summary>Reporting currency per tenant (organisation) id.</summary>
    public Dictionary<string, string> ReportingCurrencies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rates written to the rates table at start-up (e.g. a month of ECB reference rates).</summary>
    public List<ExchangeRateSeed> ExchangeRates { get; set; } = [];

    /// <summary>Whether the cluster's poll job runs pollers (off only in tests that drive syncs by hand); "sync now" works either way.</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>How often the scheduler looks for connections that are due.</summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Poll interval for a connection that does not set one.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far from now a signed webhook timestamp may be (Stripe, PayPal) before it counts as a replay.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public ChannelEndpoints Endpoints { get; set; } = new();

    public string? ReportingCurrencyFor(string tenantId) =>
        ReportingCurrencies.TryGetValue(tenantId, out var currency) && !string.IsNullOrWhiteSpace(currency) ? currency : ReportingCurrency;
}

/// <summary>One configured rate: <see cref="Rate"/> of <see cref="To"/> per unit of <see cref="From"/> on <see cref="Date"/>.</summary>
public sealed class ExchangeRateSeed
{
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public DateOnly Date { get; set; }
    public decimal Rate { get; set; }
    public string Source { get; set; } = "configuration";
}
