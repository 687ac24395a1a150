using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Engine.Insights;

/// <summary>
/// One ad campaign's spend in the period and in its comparison. <see cref="Label"/> is the campaign's newest reported name,
/// or its id when the platform never named it.
/// </summary>
public sealed record CampaignSpend(string CampaignId, string Label, decimal Spend, decimal SpendThen)
{
    /// <summary>
    /// The campaigns of one store's ad channel across both periods. Spend facts written before campaigns were kept have no
    /// campaign id and are left out: they cannot be put to any campaign.
    /// </summary>
    public static IReadOnlyList<CampaignSpend> Of(IEnumerable<SpendFact> now, IEnumerable<SpendFact> then, string storeId, SalesChannel channel)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(then);
        bool Mine(SpendFact s) => s.StoreId == storeId && s.Channel == channel && s.CampaignId is not null;
        var current = now.Where(Mine).ToList();
        var previous = then.Where(Mine).ToList();
        return current.Concat(previous)
            .GroupBy(s => s.CampaignId!, StringComparer.Ordinal)
            .Select(g => new CampaignSpend(
                g.Key,
                g.Where(s => s.CampaignName is not null).OrderByDescending(s => s.OccurredAt).Select(s => s.CampaignName).FirstOrDefault() ?? g.Key,
                current.Where(s => s.CampaignId == g.Key).Sum(s => s.Spend),
                previous.Where(s => s.CampaignId == g.Key).Sum(s => s.Spend)))
            .OrderBy(c => c.CampaignId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The campaign to check when a channel's return fell: the one whose spend rose most; when none rose, the one that spent
    /// most in the period. Ties go to the larger spend, then the campaign id (ordinal), so the answer does not depend on
    /// read order. Null without campaigns.
    /// </summary>
    public static CampaignSpend? MostRisen(IReadOnlyList<CampaignSpend> campaigns)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        var risen = campaigns.Where(c => c.Spend > c.SpendThen)
            .OrderByDescending(c => c.Spend - c.SpendThen).ThenByDescending(c => c.Spend).ThenBy(c => c.CampaignId, StringComparer.Ordinal)
            .FirstOrDefault();
        return risen ?? campaigns.Where(c => c.Spend > 0m)
            .OrderByDescending(c => c.Spend).ThenBy(c => c.CampaignId, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
