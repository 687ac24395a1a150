using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>
/// One order at one version as multi-channel insight keeps it: where it was sold, what it was worth, which touch brought it
/// and who (by hashed e-mail) bought it. History keeps each (tenant, store, order id, version) once and collapses them on
/// read: figures from the highest <see cref="Version"/>, the touch from the earliest version that names one, the buyer
/// from the newest that names one.
/// </summary>
/// <param name="Revenue">The order total in the reporting currency when a rate was known, else in <paramref name="Currency"/>.</param>
/// <param name="Touch">The channel the visit came through (see <see cref="Touches"/>); null when the order says nothing about its visit.</param>
public sealed record OrderTouch(
    string TenantId,
    string StoreId,
    SalesChannel Channel,
    string OrderId,
    long Version,
    DateTimeOffset PlacedAt,
    decimal Revenue,
    string Currency,
    bool Cancelled,
    string? Touch,
    string? EmailHash)
{
    /// <summary>
    /// The utm_campaign of the visit (trimmed, as tagged: an ad platform's campaign id or name); null when untagged. Kept
    /// with <see cref="Touch"/>, so reads take it from the same version, and an init property so facts written before
    /// campaigns were kept read as untagged.
    /// </summary>
    public string? Campaign { get; init; }
}

/// <summary>Ad spend of one delivery (a campaign's day, or the change to it); idempotent by (tenant, store, spend id).</summary>
/// <param name="CampaignId">The campaign the spend went to, as the event named it; null for facts written before campaigns were kept.</param>
/// <param name="CampaignName">The campaign's name as the ad platform reported it; null when it did not.</param>
public sealed record SpendFact(
    string TenantId,
    string StoreId,
    SalesChannel Channel,
    string SpendId,
    DateTimeOffset OccurredAt,
    decimal Spend,
    string Currency,
    string? CampaignId = null,
    string? CampaignName = null);

/// <summary>
/// One day's traffic from one source and medium, as an analytics property reported it last; idempotent by
/// (tenant, store, day, source, medium) with the highest <see cref="Version"/> (the reading's time, Unix ms) winning.
/// </summary>
/// <param name="DayStartUtc">The day's start in the property's zone, as UTC; a report's range selects days by it.</param>
/// <param name="Touch">The channel the visits came through, named as order touches are (see <see cref="Touches"/>).</param>
public sealed record TrafficFact(
    string TenantId,
    string StoreId,
    DateOnly Day,
    DateTimeOffset DayStartUtc,
    string Source,
    string Medium,
    string Touch,
    long Users,
    long ActiveUsers,
    long Sessions,
    decimal Conversions,
    long Version);

/// <summary>Turns accepted commerce events into insight facts; pure, so the history batch and the tests share it.</summary>
public static class InsightFacts
{
    /// <summary>The fact an event carries: an <see cref="OrderTouch"/>, a <see cref="SpendFact"/>, a <see cref="TrafficFact"/>, or null for other events.</summary>
    public static object? From(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return commerceEvent switch
        {
            OrderEvent order => new OrderTouch(
                order.Store.TenantId,
                order.Store.StoreId,
                order.Channel,
                order.OrderId,
                order.Version.ToUnixTimeMilliseconds(),
                order.PlacedAt.ToUniversalTime(),
                Money(order, order.TotalPrice),
                order.Reporting?.Currency ?? order.Currency,
                order.CancelledAt is not null || order is OrderCancelled,
                Touches.Classify(order.UtmSource, order.UtmMedium, order.ReferringSite, order.LandingSite),
                string.IsNullOrWhiteSpace(order.CustomerEmailHash) ? null : order.CustomerEmailHash.Trim().ToLowerInvariant())
            {
                Campaign = string.IsNullOrWhiteSpace(order.UtmCampaign) ? null : order.UtmCampaign.Trim(),
            },
            AdSpendRecorded spend => new SpendFact(
                spend.Store.TenantId,
                spend.Store.StoreId,
                spend.Channel,
                spend.EventId,
                spend.OccurredAt.ToUniversalTime(),
                Money(spend, spend.Spend),
                spend.Reporting?.Currency ?? spend.Currency,
                string.IsNullOrWhiteSpace(spend.CampaignId) ? null : spend.CampaignId,
                string.IsNullOrWhiteSpace(spend.CampaignName) ? null : spend.CampaignName.Trim()),
            TrafficReported traffic => new TrafficFact(
                traffic.Store.TenantId,
                traffic.Store.StoreId,
                traffic.Day,
                traffic.OccurredAt.ToUniversalTime(),
                traffic.Source.Trim(),
                string.IsNullOrWhiteSpace(traffic.Medium) ? "(none)" : traffic.Medium.Trim(),
                Touches.OfTraffic(traffic.Source, traffic.Medium),
                traffic.Users,
                traffic.ActiveUsers,
                traffic.Sessions,
                Math.Round(traffic.Conversions, 4, MidpointRounding.AwayFromZero),
                traffic.ReportedAt.ToUnixTimeMilliseconds()),
            _ => null,
        };
    }

    private static decimal Money(CommerceEvent commerceEvent, decimal amount) =>
        commerceEvent.Reporting is { } reporting ? reporting.Convert(amount) : Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Names the channel a visit came through from its UTM tags, referrer and landing page. Ad platforms' sources map to
/// the ad channel that reports their spend (so ROAS can divide one by the other); anything else keeps its own name.
/// </summary>
public static class Touches
{
    /// <summary>The touch of a visit that carried neither UTM tags, a click id nor a referrer.</summary>
    public const string Direct = "direct";

    private static readonly HashSet<string> MetaSources = new(StringComparer.Ordinal)
    {
        "facebook", "fb", "instagram", "ig", "meta", "facebook.com", "m.facebook.com", "l.facebook.com", "instagram.com",
    };

    private static readonly HashSet<string> GoogleSources = new(StringComparer.Ordinal) { "google", "adwords", "googleads", "google_ads" };

    // The mediums Google Ads auto-tagging and common manual tagging use for paid clicks.
    private static readonly HashSet<string> PaidMediums = new(StringComparer.Ordinal) { "cpc", "ppc", "paid", "paidsearch", "paid_search", "sem", "cpm" };

    /// <summary>The touch, or null when the order says nothing about its visit (so a later version that does is not overwritten by a guess).</summary>
    public static string? Classify(string? utmSource, string? utmMedium, string? referringSite, string? landingSite)
    {
        var source = Clean(utmSource);
        var medium = Clean(utmMedium);
        var clickedGoogleAd = landingSite?.Contains("gclid=", StringComparison.OrdinalIgnoreCase) == true;
        if (source is not null)
        {
            if (MetaSources.Contains(source))
            {
                return nameof(SalesChannel.FacebookAds);
            }

            if (GoogleSources.Contains(source))
            {
                return source != "google" || clickedGoogleAd || (medium is not null && PaidMediums.Contains(medium))
                    ? nameof(SalesChannel.GoogleAds)
                    : "google";
            }

            return source;
        }

        if (clickedGoogleAd)
        {
            return nameof(SalesChannel.GoogleAds);
        }

        if (Host(referringSite) is { } host)
        {
            return host;
        }

        return string.IsNullOrWhiteSpace(landingSite) ? null : Direct;
    }

    /// <summary>
    /// The touch of an analytics source and medium, so traffic lines up with the orders' touches: GA4's "(direct)" /
    /// "(none)" is <see cref="Direct"/>, "(not set)" stays as GA4 says it, anything else is classified like a UTM pair.
    /// </summary>
    public static string OfTraffic(string? source, string? medium)
    {
        var cleanSource = Clean(source);
        var cleanMedium = Clean(medium);
        if (cleanSource is null or "(direct)")
        {
            return Direct;
        }

        return Classify(cleanSource, cleanMedium is "(none)" or "(not set)" ? null : cleanMedium, null, null) ?? Direct;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();

    private static string? Host(string? referrer)
    {
        if (string.IsNullOrWhiteSpace(referrer))
        {
            return null;
        }

        var text = referrer.Trim();
        var host = Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text, UriKind.Absolute, out var uri)
            ? uri.Host
            : text;
        host = host.ToLowerInvariant();
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host.Length == 0 ? null : host;
    }
}
