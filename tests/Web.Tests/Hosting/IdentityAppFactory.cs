namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// The shared <see cref="SalesDashHost"/> with the given extra settings, e.g. a plan per organisation, a small API-key
/// rate limit, or PostgreSQL for identity; its name is kept for the tests that use it.
/// </summary>
public class IdentityAppFactory(IReadOnlyDictionary<string, string> settings) : SalesDashHost(new SalesDashHostOptions { Settings = settings });

/// <summary>globex is on Starter (one sales channel, no API access); API keys get 3 requests a minute; mail goes to the loopback SMTP server.</summary>
public sealed class PlansAndLimitsAppFactory() : IdentityAppFactory(Settings())
{
    private static Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["Plans:Tenants:globex"] = "Starter",
            ["Identity:ApiKeyPermits"] = "3",
            ["Identity:ApiKeyWindow"] = "00:01:00",
        };
        if (Environment.GetEnvironmentVariable("SALESDASH_SMTP") is { Length: > 0 } smtp)
        {
            var colon = smtp.LastIndexOf(':');
            settings["Alerts:Delivery:SmtpHost"] = smtp[..colon];
            settings["Alerts:Delivery:SmtpPort"] = smtp[(colon + 1)..];
        }

        return settings;
    }
}
