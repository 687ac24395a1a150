namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// The shared <see cref="SalesDashHost"/> with the given extra settings, e.g. a plan per organisation, a small API-key
/// rate limit, or PostgreSQL for identity; its name is kept for the tests that use it.
/// </summary>
public class IdentityAppFactory(IReadOnlyDictionary<string, string> settings) : SalesDashHost(new SalesDashHostOptions { Settings = settings });

/// <summary>globex is on Starter (one sales channel, no API access); API keys get 3 requests a minute; mail goes to the loopback SMTP server.</summary>
public sealed class PlansAndLimitsAppFactory() : SalesDashHost(new SalesDashHostOptions
{
    LoopbackSmtp = true,
    Settings = new Dictionary<string, string>
    {
        ["Plans:Tenants:globex"] = "Starter",
        ["Identity:ApiKeyPermits"] = "3",
        ["Identity:ApiKeyWindow"] = "00:01:00",
    },
});
