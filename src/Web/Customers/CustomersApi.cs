using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.History;

namespace SalesDash.Web.Customers;

/// <summary>Query string of the customer figures.</summary>
public sealed record CustomerParameters
{
    /// <summary>today, yesterday, last7, last30 (default), last90, mtd or custom (with From and To; From and To alone mean custom), in the store's zone.</summary>
    public string? Period { get; init; }

    /// <summary>First local date of a custom period (yyyy-MM-dd); refused beside another period's name.</summary>
    public string? From { get; init; }

    /// <summary>Last local date of a custom period (yyyy-MM-dd), inclusive.</summary>
    public string? To { get; init; }
}

/// <summary>A period's customer figures in the store's currency; Figures.Period is the UTC range the local dates cover.</summary>
public sealed record CustomersSummaryResponse(
    string TenantId, string StoreId, string Currency, string TimeZone, string Period, DateOnly From, DateOnly To, CustomerSummary Figures);

/// <summary>Retention by first-order month (UTC months), months 0 to 11.</summary>
public sealed record CohortsResponse(string TenantId, string StoreId, CohortTable Cohorts);

/// <summary>
/// Customers (not orders) new vs returning, repeat rate, orders per customer, LTV and monthly cohorts (issue 16 point 4),
/// on the store-scoped group; bad input is a 400 problem.
/// </summary>
public static class CustomersApi
{
    private const int DefaultCohortMonths = 12;

    /// <summary>GET {store}/customers/summary and {store}/customers/cohorts.</summary>
    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var customers = store.MapGroup("/customers");
        customers.MapGet("/summary", SummaryAsync).WithName("GetCustomersSummary");
        customers.MapGet("/cohorts", CohortsAsync).WithName("GetCustomerCohorts");
        return store;
    }

    private static async Task<Results<Ok<CustomersSummaryResponse>, ProblemHttpResult>> SummaryAsync(
        CurrentStore store, [AsParameters] CustomerParameters query, CustomerQueries customers, TimeProvider time, CancellationToken cancellationToken)
    {
        var profile = store.Profile;
        if (Resolve(query, profile.TimeZone, time.GetUtcNow()) is not { } period)
        {
            return Bad(HistoryPeriods.Refusal(query.Period, query.From, query.To));
        }

        var figures = await customers.SummaryAsync(profile.Store, period.Span.Utc, cancellationToken);
        return TypedResults.Ok(new CustomersSummaryResponse(profile.Store.TenantId, profile.Store.StoreId, profile.Currency, period.Zone,
            period.Name, period.Span.FirstDate, period.Span.LastDate, figures));
    }

    private static async Task<Results<Ok<CohortsResponse>, ProblemHttpResult>> CohortsAsync(
        CurrentStore store, CustomerQueries customers, CancellationToken cancellationToken, string? months = null)
    {
        // Read as text so "abc" gets the same problem as "0", naming the rule, rather than the binder's bare 400.
        var count = DefaultCohortMonths;
        if (months is not null
            && (!int.TryParse(months, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > CustomerQueries.MaxCohortMonths))
        {
            return Bad($"months '{months}' is not a whole number between 1 and {CustomerQueries.MaxCohortMonths}.");
        }

        var table = await customers.CohortsAsync(store.Profile.Store, count, cancellationToken);
        return TypedResults.Ok(new CohortsResponse(store.Profile.Store.TenantId, store.Profile.Store.StoreId, table));
    }

    private sealed record ResolvedPeriod(string Name, string Zone, HistoryPeriod Span);

    private static ResolvedPeriod? Resolve(CustomerParameters query, string timeZone, DateTimeOffset now)
    {
        if (!HistoryPeriods.TryParsePeriod(query.Period, query.From, query.To, PeriodKind.Last30, out var period))
        {
            return null;
        }

        // A store whose zone this machine does not know still answers, on UTC days, as the history pages do.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found) ? found : TimeZoneInfo.Utc;
        return new ResolvedPeriod(period.Name, zone.Id, HistoryPeriods.Resolve(period.Kind, now, zone, period.From, period.To));
    }

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid customers query", detail: detail);
}
