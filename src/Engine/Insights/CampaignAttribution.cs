using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.Recommendations;

namespace SalesDash.Engine.Insights;

/// <summary>
/// Puts a store's orders to the ad campaigns that brought them, per store-local day, so a campaign's ROAS can be read:
/// spend comes from the ad pollers per campaign, revenue from the orders whose visit came through that ad channel.
/// </summary>
public static class CampaignAttribution
{
    /// <summary>An ad campaign as its spend names it: the stored id ("facebook:123"), its newest name, and every name it had.</summary>
    public sealed record Campaign(SalesChannel Channel, string Id, string Label, IReadOnlySet<string> Names)
    {
        /// <summary>The id the ad platform itself uses (the stored id without the poller's "facebook:"/"googleads:" prefix).</summary>
        public string PlatformId => Id.IndexOf(':', StringComparison.Ordinal) is var at and >= 0 ? Id[(at + 1)..] : Id;
    }

    /// <summary>
    /// The campaign an order's utm_campaign names, among one ad channel's campaigns: ad platforms put either the campaign's
    /// id (Google's {campaignid}, Meta's {{campaign.id}}) or its name ({{campaign.name}}, or typed by hand) in the tag. An
    /// id matches exactly; a name matches ignoring case and surrounding blanks, and only when one campaign has it, so an
    /// order is never put to the wrong one of two campaigns that share a name. Null when no campaign, or more than one, fits.
    /// </summary>
    public static Campaign? Match(string? tag, IReadOnlyList<Campaign> campaigns)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        var text = tag.Trim();
        var byId = campaigns.Where(c => c.PlatformId == text || c.Id == text).ToList();
        if (byId.Count > 0)
        {
            return byId.Count == 1 ? byId[0] : null;
        }

        var byName = campaigns.Where(c => c.Names.Contains(text)).ToList();
        return byName.Count == 1 ? byName[0] : null;
    }

    /// <summary>
    /// Each campaign's spend and attributed revenue on each store-local day from <paramref name="first"/> to
    /// <paramref name="last"/>. A campaign's revenue is that of the store's orders (not cancelled) that came through its
    /// ad channel with a utm_campaign naming it (see <see cref="Match"/>), plus a share of the channel's orders whose tag
    /// names no campaign (untagged, e.g. Google auto-tagging's gclid alone) in proportion to the campaign's part of the
    /// channel's spend that day: a store that tags no campaign then sees each campaign at its channel's ROAS rather than
    /// at nothing, and one that tags every order sees each campaign's own. Spend without a campaign id (written before
    /// campaigns were kept) is left out.
    /// </summary>
    public static IReadOnlyList<AdDay> Days(InsightData data, string storeId, TimeZoneInfo zone, DateOnly first, DateOnly last)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(zone);
        DateOnly Local(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        bool Inside(DateOnly day) => day >= first && day <= last;

        var spend = data.Spend.Where(s => s.StoreId == storeId && s.CampaignId is not null && Inside(Local(s.OccurredAt))).ToList();
        var campaigns = spend.GroupBy(s => (s.Channel, Id: s.CampaignId!))
            .Select(g => new Campaign(g.Key.Channel, g.Key.Id,
                g.Where(s => s.CampaignName is not null).OrderByDescending(s => s.OccurredAt).Select(s => s.CampaignName!).FirstOrDefault() ?? g.Key.Id,
                g.Where(s => s.CampaignName is not null).Select(s => s.CampaignName!.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase)))
            .ToList();

        var result = new List<AdDay>();
        foreach (var channel in campaigns.GroupBy(c => c.Channel))
        {
            var mine = channel.ToList();
            var touch = channel.Key.ToString();
            var orders = data.Orders
                .Where(o => o.StoreId == storeId && !o.Cancelled && o.Touch == touch && Inside(Local(o.PlacedAt)))
                .Select(o => (Day: Local(o.PlacedAt), o.Revenue, Campaign: Match(o.Campaign, mine)?.Id))
                .ToList();
            var channelSpend = spend.Where(s => s.Channel == channel.Key).GroupBy(s => Local(s.OccurredAt)).ToDictionary(g => g.Key, g => g.Sum(s => s.Spend));
            var untagged = orders.Where(o => o.Campaign is null).GroupBy(o => o.Day).ToDictionary(g => g.Key, g => g.Sum(o => o.Revenue));
            foreach (var campaign in mine)
            {
                var spent = spend.Where(s => s.Channel == channel.Key && s.CampaignId == campaign.Id).GroupBy(s => Local(s.OccurredAt))
                    .ToDictionary(g => g.Key, g => g.Sum(s => s.Spend));
                var tagged = orders.Where(o => o.Campaign == campaign.Id).GroupBy(o => o.Day).ToDictionary(g => g.Key, g => g.Sum(o => o.Revenue));
                foreach (var day in spent.Keys.Union(tagged.Keys).Order())
                {
                    var cost = spent.GetValueOrDefault(day);
                    var total = channelSpend.GetValueOrDefault(day);
                    var share = total > 0m ? untagged.GetValueOrDefault(day) * cost / total : 0m;
                    result.Add(new AdDay(touch, campaign.Id, campaign.Label, day, cost, tagged.GetValueOrDefault(day) + share) { UntaggedShare = share });
                }
            }
        }

        return result;
    }
}
