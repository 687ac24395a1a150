using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>
/// Customer figures computed in SQL by the history store, over one store's orders at their newest version, cancelled
/// orders left out (a cancelled order is not a purchase). A customer is an order's <see cref="OrderFact.CustomerKey"/>;
/// orders without one (unidentified guests) are only counted, never as customers. Both stores answer with the same figures.
/// </summary>
public interface ICustomerHistory
{
    /// <summary>
    /// Customers who ordered in <paramref name="period"/> and the lifetime value of those whose first order fell in it,
    /// counting only customers whose LTV window had closed by <paramref name="asOf"/>.
    /// </summary>
    Task<CustomerCounts> CustomerCountsAsync(StoreRef store, HistoryRange period, DateTimeOffset asOf, CancellationToken cancellationToken);

    /// <summary>
    /// For customers whose first order ever falls in <paramref name="firstOrders"/> (whole UTC months): how many of each
    /// first-order month ordered in each later UTC month, 0 to <see cref="CustomerWindows.CohortMonths"/> − 1 months on.
    /// Month 0 holds every member, so it is the cohort's size. Cells with nobody are left out.
    /// </summary>
    Task<IReadOnlyList<CohortActivity>> CohortActivityAsync(StoreRef store, HistoryRange firstOrders, CancellationToken cancellationToken);
}

/// <summary>What the store counts for a period; rates and averages are derived in <see cref="CustomerQueries"/>.</summary>
/// <param name="Customers">Distinct customers with an order in the period.</param>
/// <param name="NewCustomers">Those whose first order ever (in this store) falls in the period.</param>
/// <param name="RepeatCustomers">Those with two or more orders in the period.</param>
/// <param name="IdentifiedOrders">Orders in the period that name a customer.</param>
/// <param name="UnidentifiedOrders">Orders in the period by a guest with neither customer id nor e-mail.</param>
public sealed record CustomerCounts(
    long Customers,
    long NewCustomers,
    long RepeatCustomers,
    long IdentifiedOrders,
    long UnidentifiedOrders,
    LifetimeValueSum Ltv90Days,
    LifetimeValueSum Ltv12Months);

/// <summary>
/// The new customers of a period whose window (from their first order) had closed, and their net revenue within it:
/// order totals placed in the window less refunds of their orders that happened in it, in the store's currency.
/// </summary>
public sealed record LifetimeValueSum(long Customers, decimal NetRevenue);

/// <summary>How many customers of the cohort that first ordered in <paramref name="Cohort"/> ordered <paramref name="MonthsSince"/> months later.</summary>
public sealed record CohortActivity(DateOnly Cohort, int MonthsSince, long Customers);

/// <summary>The windows customer figures use, shared by both stores' SQL so they agree.</summary>
public static class CustomerWindows
{
    /// <summary>The short LTV window, in days from the first order.</summary>
    public const int Ltv90Days = 90;

    /// <summary>The long LTV window, in calendar months from the first order.</summary>
    public const int Ltv12Months = 12;

    /// <summary>A cohort row's columns: month 0 (the first order's) to month 11.</summary>
    public const int CohortMonths = 12;
}

/// <summary>A period's customer figures, as the Customers page shows them.</summary>
/// <param name="ReturningCustomers">Customers of the period who had ordered before it.</param>
/// <param name="RepeatPurchaseRate">Share (0–1, four decimals) of the period's customers with two or more orders in it; null without customers.</param>
/// <param name="AverageOrdersPerCustomer">Identified orders per customer (two decimals); null without customers.</param>
public sealed record CustomerSummary(
    HistoryRange Period,
    long Customers,
    long NewCustomers,
    long ReturningCustomers,
    long RepeatCustomers,
    decimal? RepeatPurchaseRate,
    decimal? AverageOrdersPerCustomer,
    long IdentifiedOrders,
    long UnidentifiedOrders,
    LifetimeValue Ltv90Days,
    LifetimeValue Ltv12Months);

/// <summary>Net revenue per customer (to the cent) of the period's new customers whose window has closed; null when none has.</summary>
public sealed record LifetimeValue(long Customers, decimal NetRevenue, decimal? PerCustomer);

/// <summary>Retention by first-order month: rows oldest first, each with <see cref="CustomerWindows.CohortMonths"/> cells.</summary>
public sealed record CohortTable(DateOnly FirstMonth, DateOnly LastMonth, IReadOnlyList<CohortRow> Rows);

/// <summary>One first-order month; a cell is null for a month that has not begun yet.</summary>
public sealed record CohortRow(DateOnly Month, long Customers, IReadOnlyList<CohortCell?> Cells);

/// <summary>Customers of the cohort who ordered in month <paramref name="MonthsSince"/>, and their share of the cohort (0–1, four decimals).</summary>
public sealed record CohortCell(int MonthsSince, long Customers, decimal Retained);

/// <summary>Customer figures and cohorts of one store from its history, dated by the injected clock.</summary>
public sealed class CustomerQueries(ICustomerHistory store, TimeProvider time)
{
    /// <summary>The most first-order months one cohort table shows.</summary>
    public const int MaxCohortMonths = 36;

    public async Task<CustomerSummary> SummaryAsync(StoreRef shop, HistoryRange period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shop);
        ArgumentNullException.ThrowIfNull(period);
        var counts = await store.CustomerCountsAsync(shop, period, time.GetUtcNow(), cancellationToken);
        return Summarise(period, counts);
    }

    /// <summary>The last <paramref name="months"/> first-order months up to the current UTC month.</summary>
    public async Task<CohortTable> CohortsAsync(StoreRef shop, int months, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shop);
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(months, MaxCohortMonths);
        var now = time.GetUtcNow();
        var current = new DateOnly(now.Year, now.Month, 1);
        var first = current.AddMonths(1 - months);
        var range = new HistoryRange(Start(first), Start(current.AddMonths(1)));
        var activity = await store.CohortActivityAsync(shop, range, cancellationToken);
        return Tabulate(first, current, activity);
    }

    /// <summary>Rates and per-customer values from the store's counts; pure, so the page and tests share one rounding.</summary>
    public static CustomerSummary Summarise(HistoryRange period, CustomerCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        decimal? Ratio(long part, long whole, int decimals) =>
            whole == 0 ? null : Math.Round((decimal)part / whole, decimals, MidpointRounding.AwayFromZero);

        LifetimeValue Ltv(LifetimeValueSum sum) => new(sum.Customers, sum.NetRevenue,
            sum.Customers == 0 ? null : Math.Round(sum.NetRevenue / sum.Customers, 2, MidpointRounding.AwayFromZero));

        return new CustomerSummary(period, counts.Customers, counts.NewCustomers, counts.Customers - counts.NewCustomers, counts.RepeatCustomers,
            Ratio(counts.RepeatCustomers, counts.Customers, 4), Ratio(counts.IdentifiedOrders, counts.Customers, 2), counts.IdentifiedOrders,
            counts.UnidentifiedOrders, Ltv(counts.Ltv90Days), Ltv(counts.Ltv12Months));
    }

    /// <summary>One row per month from <paramref name="first"/> to <paramref name="current"/>; months after the current one are null.</summary>
    public static CohortTable Tabulate(DateOnly first, DateOnly current, IReadOnlyList<CohortActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var cells = activity.ToDictionary(a => (a.Cohort, a.MonthsSince), a => a.Customers);
        var rows = new List<CohortRow>();
        for (var month = first; month <= current; month = month.AddMonths(1))
        {
            var size = cells.GetValueOrDefault((month, 0));
            var row = new CohortCell?[CustomerWindows.CohortMonths];
            for (var k = 0; k < row.Length; k++)
            {
                if (month.AddMonths(k) > current)
                {
                    break;
                }

                var customers = cells.GetValueOrDefault((month, k));
                row[k] = new CohortCell(k, customers, size == 0 ? 0m : Math.Round((decimal)customers / size, 4, MidpointRounding.AwayFromZero));
            }

            rows.Add(new CohortRow(month, size, row));
        }

        return new CohortTable(first, current, rows);
    }

    private static DateTimeOffset Start(DateOnly month) => new(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
