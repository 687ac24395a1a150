using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Web.Channels;
using SalesDash.Web.Goals;

namespace SalesDash.Web.Visitors;

/// <summary>Orders over sessions on one day (the rate is null when there were no sessions to divide by).</summary>
public sealed record ConversionDay(DateOnly Day, long Orders, long Sessions, decimal? Rate);

/// <summary>Today so far against the whole of the same weekday last week.</summary>
public sealed record ConversionView(ConversionDay Today, ConversionDay SameDayLastWeek);

/// <summary>
/// The live page's visitors, sources and conversion for one store. <see cref="Connected"/> false means the store has no
/// enabled Google Analytics connection, and the page shows no analytics tile at all. <see cref="Source"/> names where
/// the figures come from, <see cref="UpdatedAt"/> when GA4 was read; <see cref="Error"/> says why the last read failed.
/// </summary>
public sealed record VisitorsView(
    bool Connected,
    string Source,
    string? PropertyId,
    DateTimeOffset? UpdatedAt,
    string? TimeZone,
    string? Error,
    long? VisitorsLast5Minutes,
    long? VisitorsLast30Minutes,
    IReadOnlyList<long> ActiveUsersPerMinute,
    long? SessionsToday,
    IReadOnlyList<Ga4SourceSessions> Sources,
    ConversionView? Conversion)
{
    public const string SourceName = "Google Analytics 4";

    public static VisitorsView NotConnected { get; } = new(false, SourceName, null, null, null, null, null, null, [], null, [], null);
}

/// <summary>Puts the stored realtime reading beside the store's orders from history (the same figures as History).</summary>
public sealed class VisitorsQuery(IChannelConnectionStore connections, VisitorReadings readings, IHistoryStore history)
{
    public async Task<VisitorsView> ForAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var connection = await connections.GetAsync(store.Store, SalesChannel.GoogleAnalytics, cancellationToken);
        if (connection is not { Enabled: true } || !connection.Settings.TryGetValue("propertyId", out var propertyId))
        {
            return VisitorsView.NotConnected;
        }

        var state = await readings.LoadAsync(store.Store, cancellationToken);
        // A reading of another property (the connection was pointed elsewhere since) is not this store's.
        var reading = state?.Reading is { } r && r.PropertyId == propertyId ? r : null;
        if (reading is null)
        {
            return VisitorsView.NotConnected with { Connected = true, PropertyId = propertyId, Error = state?.LastError };
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(reading.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var scope = HistoryScope.Store(store.Store.TenantId, store.Store.StoreId);
        var todayFrom = GoalPeriods.Midnight(reading.Today, zone);
        var ordersToday = await OrdersAsync(scope, todayFrom, reading.ReadAt > todayFrom ? reading.ReadAt : todayFrom, cancellationToken);
        var ordersLastWeek = await OrdersAsync(scope, GoalPeriods.Midnight(reading.SameDayLastWeek, zone),
            GoalPeriods.Midnight(reading.SameDayLastWeek.AddDays(1), zone), cancellationToken);
        var conversion = new ConversionView(
            Day(reading.Today, ordersToday, reading.SessionsToday),
            Day(reading.SameDayLastWeek, ordersLastWeek, reading.SessionsSameDayLastWeek));
        return new VisitorsView(true, VisitorsView.SourceName, propertyId, reading.ReadAt, reading.TimeZone, state!.LastError,
            reading.ActiveUsersLast5Minutes, reading.ActiveUsersLast30Minutes, [.. reading.PerMinute.OrderBy(m => m.MinutesAgo).Select(m => m.ActiveUsers)],
            reading.SessionsToday, reading.SourcesToday, conversion);
    }

    private static ConversionDay Day(DateOnly day, long orders, long sessions) =>
        new(day, orders, sessions, sessions > 0 ? Math.Round((decimal)orders / sessions, 4) : null);

    private async Task<long> OrdersAsync(HistoryScope scope, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            return 0;
        }

        // One slot covering the whole range: one total, or nothing when there were no orders.
        var slot = TimeSpan.FromSeconds(Math.Ceiling((to - from).TotalSeconds));
        var slots = await history.SlotsAsync(scope, new HistoryRange(from, to), slot, cancellationToken);
        return slots.Sum(s => s.Totals.Orders);
    }
}
