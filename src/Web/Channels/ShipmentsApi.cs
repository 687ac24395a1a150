using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Channels;

/// <summary>A parcel as the shipments list shows it, at its newest tracking state.</summary>
/// <param name="Group">pending, inTransit, delivered or exception.</param>
/// <param name="DaysToDeliver">Delivered minus shipped (first carrier scan, or first tracking event), in days; null until delivered.</param>
public sealed record ShipmentView(
    string TrackingCode,
    string Carrier,
    string Status,
    string? StatusDetail,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EstimatedDelivery,
    string? PublicUrl,
    string Group,
    string? OrderId,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? DeliveredAt,
    double? DaysToDeliver);

/// <summary>How a store's parcels stand: how many are with the carrier, delivered or in trouble, and how long delivery takes.</summary>
/// <param name="AverageDaysToDeliver">Mean of the delivered parcels' days to deliver (two decimals); null when none was delivered.</param>
public sealed record ShipmentSummaryView(int Parcels, int Pending, int InTransit, int Delivered, int Exceptions, double? AverageDaysToDeliver);

/// <summary>The parcels whose newest tracking event falls in the period, newest first, with their summary.</summary>
public sealed record ShipmentsResponse(string TenantId, string StoreId, string TimeZone, PeriodInfoRange Period, ShipmentSummaryView Summary, IReadOnlyList<ShipmentView> Parcels);

/// <summary>GET {store}/shipments (the store-scoped group): read from the history store, so every node answers the same.</summary>
public static class ShipmentsApi
{
    /// <param name="period">today, yesterday, last7, last30 (default), last90, mtd or custom (with from and to). The rolling
    /// periods run up to now, today included: where a parcel stands today is what the list is for.</param>
    internal static async Task<Results<Ok<ShipmentsResponse>, ProblemHttpResult>> GetAsync(
        string? period, string? from, string? to, CurrentStore current, IShipmentHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        var profile = current.Profile;
        var store = profile.Store;

        if (!HistoryPeriods.TryParsePeriod(period, from, to, PeriodKind.Last30, out var dated))
        {
            return Bad(HistoryPeriods.Refusal(period, from, to));
        }

        var resolved = HistoryPeriods.Resolve(dated.Kind, time.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone), dated.From, dated.To);
        var range = resolved.Utc;
        var lastDate = resolved.LastDate;
        if (dated.Kind is PeriodKind.Last7 or PeriodKind.Last30 or PeriodKind.Last90)
        {
            // Tracking times are the carrier's clock, which may run a little ahead of ours: the same skew ingestion allows.
            var now = time.GetUtcNow();
            range = range with { ToUtc = now + CommerceEventGuard.MaxFutureSkew };
            lastDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone)).DateTime);
        }

        var parcels = await history.ParcelsAsync(HistoryScope.Store(store.TenantId, store.StoreId), range, cancellationToken);
        var delivered = parcels.Where(p => p.TimeToDeliver is not null).ToList();
        var summary = new ShipmentSummaryView(
            parcels.Count,
            parcels.Count(p => p.Group == ShipmentGroup.Pending),
            parcels.Count(p => p.Group == ShipmentGroup.InTransit),
            parcels.Count(p => p.Group == ShipmentGroup.Delivered),
            parcels.Count(p => p.Group == ShipmentGroup.Exception),
            delivered.Count == 0 ? null : Math.Round(delivered.Average(p => p.TimeToDeliver!.Value.TotalDays), 2, MidpointRounding.AwayFromZero));
        return TypedResults.Ok(new ShipmentsResponse(store.TenantId, store.StoreId, profile.TimeZone,
            new PeriodInfoRange(resolved.FirstDate, lastDate, range.FromUtc, range.ToUtc), summary,
            [.. parcels.Select(p => new ShipmentView(p.TrackingCode, p.Carrier, p.Status, p.StatusDetail, p.UpdatedAt, p.EstimatedDelivery, p.PublicUrl,
                GroupName(p.Group), p.OrderId, p.ShippedAt, p.DeliveredAt,
                p.TimeToDeliver is { } days ? Math.Round(days.TotalDays, 2, MidpointRounding.AwayFromZero) : null))]));
    }

    private static string GroupName(ShipmentGroup group) => group switch
    {
        ShipmentGroup.InTransit => "inTransit",
        ShipmentGroup.Delivered => "delivered",
        ShipmentGroup.Exception => "exception",
        _ => "pending",
    };

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid shipments query", detail: detail);
}
