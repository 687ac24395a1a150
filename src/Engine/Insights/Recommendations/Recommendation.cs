namespace SalesDash.Engine.Insights.Recommendations;

/// <summary>What a recommendation is about; with <see cref="Recommendation.Key"/> it names one advice, so "done" and "dismissed" stick to it.</summary>
public enum RecommendationKind
{
    CutAdSpend,
    ProductReturns,
    ConversionFell,
    Bundle,
    StockOut,
    FreeShipping,
}

/// <summary>One figure behind a recommendation; a null value is unknown.</summary>
public sealed record RecommendationFigure(string Name, decimal? Value);

/// <summary>
/// Advice that says what to do: the action, the revenue at stake (what the rule estimates is lost or left on the table over
/// the period it read, in the store's currency), the figures it rests on and where to look (a path of the app).
/// </summary>
/// <param name="Key">Stable for the same subject (a campaign, a SKU, a pair of SKUs), so a later run finds the same advice.</param>
public sealed record Recommendation(
    RecommendationKind Kind, string Key, string Title, string Action, decimal RevenueAtStake, IReadOnlyList<RecommendationFigure> Figures, string DrillDown);

/// <summary>The order in which recommendations are shown.</summary>
public static class RecommendationRanking
{
    /// <summary>Most revenue at stake first; ties by kind and key so the order does not depend on which rule ran first.</summary>
    public static IReadOnlyList<Recommendation> Rank(IEnumerable<Recommendation> recommendations)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        return [.. recommendations.OrderByDescending(r => r.RevenueAtStake).ThenBy(r => r.Kind).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    internal static decimal Money(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    internal static decimal Ratio(decimal value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}
