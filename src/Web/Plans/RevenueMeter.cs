using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Currency;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>
/// Tracked revenue of the organisation's current calendar month (in its time zone), in its reporting currency, against
/// the tier's cap. <see cref="OverCapSince"/> is when the owner was told the cap was reached; the live view stays
/// open for the grace period after that, then asks for an upgrade (<see cref="LiveViewBlocked"/>).
/// </summary>
/// <param name="Cap">The tier's US-dollar cap in <paramref name="Currency"/>; null when unlimited or when no rate converts it.</param>
/// <param name="Unconverted">Store currencies whose revenue could not be converted (no rate in the rates table), so is not counted.</param>
public sealed record RevenueUsage(
    string Month, string Currency, decimal Revenue, decimal? Cap, int? Percent, DateTimeOffset? OverCapSince, DateTimeOffset? GraceEndsAt,
    bool LiveViewBlocked, IReadOnlyList<string> Unconverted);

/// <summary>Measures <see cref="RevenueUsage"/> from the history store, converting each store's revenue through the rates table.</summary>
public sealed class RevenueMeter(
    IHistoryStore history, IStoreDirectory stores, IExchangeRates rates, IDbContextFactory<AppIdentityDbContext> databases, IPlanService plans,
    IOptionsMonitor<PlanOptions> options, TimeProvider time)
{
    public const string OverCapNotice = "revenue-100";

    public const string NearCapNotice = "revenue-80";

    public async Task<RevenueUsage> MeasureAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var org = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == tenantId, cancellationToken);
        var own = (await stores.ListAsync(cancellationToken)).Where(s => s.Store.TenantId == tenantId).ToList();
        var currency = org?.ReportingCurrency ?? own.Select(s => s.Currency).FirstOrDefault() ?? "USD";
        var zone = Zone(org?.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var monthStart = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var from = new DateTimeOffset(monthStart, zone.GetUtcOffset(monthStart));
        var next = monthStart.AddMonths(1);
        var to = new DateTimeOffset(next, zone.GetUtcOffset(next));
        var month = monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var today = DateOnly.FromDateTime(local.DateTime);

        var revenue = 0m;
        var unconverted = new SortedSet<string>(StringComparer.Ordinal);
        var slot = TimeSpan.FromSeconds(Math.Ceiling((to - from).TotalSeconds));
        foreach (var store in own)
        {
            var gross = (await history.SlotsAsync(HistoryScope.Store(tenantId, store.Store.StoreId), new HistoryRange(from.ToUniversalTime(), to.ToUniversalTime()), slot,
                cancellationToken)).Sum(s => s.Totals.GrossRevenue);
            if (gross == 0m)
            {
                continue;
            }

            if (await ConvertAsync(gross, store.Currency, currency, today, cancellationToken) is { } converted)
            {
                revenue += converted;
            }
            else
            {
                unconverted.Add(store.Currency);
            }
        }

        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        var cap = limits.MaxMonthlyRevenueUsd is { } usd ? await ConvertAsync(usd, "USD", currency, today, cancellationToken) : null;
        int? percent = cap is { } c && c > 0 ? (int)Math.Min(int.MaxValue, Math.Floor(revenue * 100m / c)) : null;
        var told = await db.PlanNotices.AsNoTracking().Where(n => n.OrganisationId == tenantId && n.Key == $"{OverCapNotice}:{month}")
            .Select(n => (DateTimeOffset?)n.SentAt).FirstOrDefaultAsync(cancellationToken);
        var overSince = percent >= 100 ? told : null;
        var graceEnds = overSince + options.CurrentValue.RevenueGrace;
        return new RevenueUsage(month, currency, decimal.Round(revenue, 2), cap is null ? null : decimal.Round(cap.Value, 2), percent, overSince, graceEnds,
            graceEnds <= now, [.. unconverted]);
    }

    /// <summary>The refusal the live view answers once the grace period after the cap has passed; null while it may stream.</summary>
    public async Task<string?> LiveViewRefusalAsync(string tenantId, CancellationToken cancellationToken)
    {
        var usage = await MeasureAsync(tenantId, cancellationToken);
        if (!usage.LiveViewBlocked)
        {
            return null;
        }

        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        var next = PlanCatalog.All.FirstOrDefault(l => l.Tier > limits.Tier && (l.MaxMonthlyRevenueUsd is null || l.MaxMonthlyRevenueUsd > limits.MaxMonthlyRevenueUsd));
        return $"This organisation tracked {usage.Revenue.ToString("0.00", CultureInfo.InvariantCulture)} {usage.Currency} in {usage.Month}, over the "
            + $"{limits.Tier} plan's {usage.Cap?.ToString("0.00", CultureInfo.InvariantCulture)} {usage.Currency} a month, and the "
            + $"{options.CurrentValue.RevenueGrace.TotalDays:0}-day grace period has ended: upgrade{(next is null ? string.Empty : $" to {next.Tier}")} to see live figures again. "
            + "History and exports stay available.";
    }

    private async Task<decimal?> ConvertAsync(decimal amount, string from, string to, DateOnly date, CancellationToken cancellationToken) =>
        string.Equals(from, to, StringComparison.OrdinalIgnoreCase)
            ? amount
            : await rates.FindAsync(from.ToUpperInvariant(), to.ToUpperInvariant(), date, cancellationToken) is { } rate ? amount * rate.Rate : null;

    private static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
