using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Insights;

/// <summary>Query string of the channel insight endpoint.</summary>
public sealed record ChannelInsightParameters
{
    /// <summary>today, yesterday, last7, last30 (default), last90, mtd or custom (with From and To; From and To alone mean custom).</summary>
    public string? Period { get; init; }

    /// <summary>First local date of a custom period (yyyy-MM-dd); refused beside another period's name.</summary>
    public string? From { get; init; }

    /// <summary>Last local date of a custom period (yyyy-MM-dd), inclusive.</summary>
    public string? To { get; init; }

    /// <summary>The zone days are cut in; by default the tenant's first store's.</summary>
    public string? TimeZone { get; init; }
}

/// <summary>What the insight endpoint returns: the period, the overall figures (MER, blended ROAS), customer matching and the ranking.</summary>
public sealed record ChannelInsightResponse(
    string TenantId,
    string Currency,
    string TimeZone,
    PeriodInfoRange Period,
    decimal Revenue,
    long Orders,
    decimal? AverageOrderValue,
    decimal Spend,
    decimal? Mer,
    decimal? BlendedRoas,
    decimal AdAttributedRevenue,
    CustomerMatching Customers,
    IReadOnlyList<ChannelInsightRow> Rows)
{
    /// <summary>Analytics (GA4) users, sessions and conversion rate per touch, most users first.</summary>
    public IReadOnlyList<TrafficInsightRow> Traffic { get; init; } = [];
}

/// <summary>Multi-channel insight across a tenant's stores: channel ranking, ROAS and MER, first/last-touch attribution, matched customers.</summary>
public static class ChannelInsightsApi
{
    /// <summary>GET /api/tenants/{tenantId}/insights/channels; the old /api/insights/{tenantId}/channels answers 308 to it.</summary>
    public static IEndpointRouteBuilder MapChannelInsightsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/tenants/{tenantId}/insights/channels", ChannelsAsync).WithName("GetChannelInsights").RequireOrgRole(OrgRole.Viewer)
            .RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        app.MapMoved("/api/insights/{tenantId}/channels", v => $"/api/tenants/{v.Segment("tenantId")}/insights/channels");
        return app;
    }

    private static async Task<Results<Ok<ChannelInsightResponse>, ProblemHttpResult>> ChannelsAsync(
        string tenantId, [AsParameters] ChannelInsightParameters query, ChannelInsightQueries insights, CancellationToken cancellationToken)
    {
        if (!HistoryPeriods.TryParsePeriod(query.Period, query.From, query.To, PeriodKind.Last30, out var period))
        {
            return Bad(HistoryPeriods.Refusal(query.Period, query.From, query.To));
        }

        ChannelInsightResult? result;
        try
        {
            result = await insights.GetAsync(tenantId, period.Kind, period.From, period.To, query.TimeZone, cancellationToken);
        }
        catch (ArgumentException e)
        {
            return Bad(e.Message);
        }

        if (result is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown tenant", detail: $"There is no store in '{tenantId}'.");
        }

        var report = result.Report;
        return TypedResults.Ok(new ChannelInsightResponse(result.TenantId, report.Currency, result.TimeZone, result.Period, report.Revenue, report.Orders,
            report.AverageOrderValue, report.Spend, report.Mer, report.BlendedRoas, report.AdAttributedRevenue, report.Customers, report.Rows)
        {
            Traffic = report.Traffic,
        });
    }

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid insight query", detail: detail);
}
