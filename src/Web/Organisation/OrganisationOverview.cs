using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Identity;

namespace SalesDash.Web.OrganisationOverview;

/// <summary>Today so far and the same time a week ago, in one currency; AOV is revenue over orders, null without orders.</summary>
public sealed record OverviewFigures(decimal Revenue, long Orders, decimal? AverageOrderValue, decimal RevenueLastWeek, long OrdersLastWeek)
{
    /// <summary>Revenue against the same time last week, as a ratio (0.25 = 25 % up); null when last week took nothing.</summary>
    public decimal? RevenueChange => RevenueLastWeek == 0m ? null : Math.Round((Revenue - RevenueLastWeek) / RevenueLastWeek, 4);

    internal static OverviewFigures Of(decimal revenue, long orders, decimal revenueLastWeek, long ordersLastWeek) =>
        new(revenue, orders, orders == 0 ? null : Cents(revenue / orders), revenueLastWeek, ordersLastWeek);

    internal static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}

/// <summary>
/// One store's row: its own figures in its own currency and local day, and (when a rate is known) the same converted
/// into the reporting currency at the stored rate of its local date (last week's at last week's date's rate).
/// </summary>
public sealed record OverviewStore(
    string StoreId, string Name, string Currency, string LocalDate, bool Disconnected, OverviewFigures Own,
    decimal? Rate, decimal? RateLastWeek, OverviewFigures? Converted, string? Problem);

/// <summary>The organisation's stores today, rolled up in its reporting currency; stores without a rate are listed and left out of the total.</summary>
public sealed record OrganisationOverviewView(string TenantId, string ReportingCurrency, DateTimeOffset AsOf, IReadOnlyList<OverviewStore> Stores, OverviewFigures Total);

/// <summary>
/// Every store's live figures (asked of its entity, as the live tiles are) converted the way reports convert: each
/// amount at the stored rate of its own day, rounded to the cent, then added up. Gross revenue is the revenue figure,
/// as on the live dashboard.
/// </summary>
public sealed class OrganisationOverviewService(
    IStoreDirectory stores, ITileQuery tiles, IExchangeRates rates, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    public async Task<OrganisationOverviewView> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var all = await stores.ListAsync(tenantId, cancellationToken);
        var reporting = await ReportingCurrencyAsync(tenantId, all, cancellationToken);
        var rows = new List<OverviewStore>(all.Count);
        foreach (var store in all.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Store.StoreId, StringComparer.Ordinal))
        {
            rows.Add(await RowAsync(store, reporting, cancellationToken));
        }

        var counted = rows.Where(r => r.Converted is not null).Select(r => r.Converted!).ToList();
        var total = OverviewFigures.Of(counted.Sum(c => c.Revenue), counted.Sum(c => c.Orders), counted.Sum(c => c.RevenueLastWeek), counted.Sum(c => c.OrdersLastWeek));
        return new OrganisationOverviewView(tenantId, reporting, time.GetUtcNow(), rows, total);
    }

    private async Task<OverviewStore> RowAsync(StoreProfile store, string reporting, CancellationToken cancellationToken)
    {
        DashboardTiles live;
        try
        {
            live = await tiles.GetTilesAsync(store, cancellationToken);
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TimeoutException)
        {
            // One store's entity not answering in time (recovering on a busy node) must not hide every other store.
            var none = OverviewFigures.Of(0m, 0, 0m, 0);
            return new OverviewStore(store.Store.StoreId, store.Name, store.Currency, "", store.DisconnectedAt is not null, none, null, null, null,
                $"{store.Name}'s live figures did not answer in time, so it is not in the total; they are asked again at the next update.");
        }

        var own = OverviewFigures.Of(live.GrossRevenue.Value, (long)live.Orders.Value, live.GrossRevenue.LastWeek, (long)live.Orders.LastWeek);
        var today = DateOnly.ParseExact(live.LocalDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var disconnected = store.DisconnectedAt is not null;
        if (string.Equals(store.Currency, reporting, StringComparison.OrdinalIgnoreCase))
        {
            return new OverviewStore(store.Store.StoreId, store.Name, store.Currency, live.LocalDate, disconnected, own, 1m, 1m, own, null);
        }

        var rate = await rates.FindAsync(store.Currency.ToUpperInvariant(), reporting, today, cancellationToken);
        var lastWeekRate = await rates.FindAsync(store.Currency.ToUpperInvariant(), reporting, today.AddDays(-7), cancellationToken);
        if (rate is null || lastWeekRate is null)
        {
            var missing = rate is null ? today : today.AddDays(-7);
            return new OverviewStore(store.Store.StoreId, store.Name, store.Currency, live.LocalDate, disconnected, own, rate?.Rate, lastWeekRate?.Rate, null,
                $"No {store.Currency}→{reporting} rate is stored for {missing:yyyy-MM-dd}, so {store.Name} is not in the total.");
        }

        var converted = OverviewFigures.Of(
            OverviewFigures.Cents(own.Revenue * rate.Rate), own.Orders, OverviewFigures.Cents(own.RevenueLastWeek * lastWeekRate.Rate), own.OrdersLastWeek);
        return new OverviewStore(store.Store.StoreId, store.Name, store.Currency, live.LocalDate, disconnected, own, rate.Rate, lastWeekRate.Rate, converted, null);
    }

    /// <summary>The organisation's reporting currency; the first store's when it has no row (a store declared in configuration only), as reports do.</summary>
    private async Task<string> ReportingCurrencyAsync(string tenantId, IReadOnlyList<StoreProfile> all, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var currency = await db.Organisations.AsNoTracking().Where(o => o.Id == tenantId).Select(o => o.ReportingCurrency).FirstOrDefaultAsync(cancellationToken);
        return !string.IsNullOrWhiteSpace(currency) ? currency.ToUpperInvariant() : all.Count > 0 ? all[0].Currency.ToUpperInvariant() : "USD";
    }
}

/// <summary>GET /api/tenants/{tenantId}/overview: every store's figures today in the reporting currency (Viewer).</summary>
public static class OrganisationOverviewApi
{
    public static IServiceCollection AddOrganisationOverview(this IServiceCollection services)
    {
        services.AddSingleton<OrganisationOverviewService>();
        return services;
    }

    public static RouteGroupBuilder MapOrganisationOverviewApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/tenants/{tenantId}/overview", GetAsync).WithName("GetOrganisationOverview").RequireOrgRole(OrgRole.Viewer);
        return api;
    }

    private static async Task<Ok<OrganisationOverviewView>> GetAsync(string tenantId, OrganisationOverviewService overview, CancellationToken cancellationToken) =>
        TypedResults.Ok(await overview.GetAsync(tenantId, cancellationToken));
}
