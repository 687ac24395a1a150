using System.Globalization;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;

namespace SalesDash.Engine.Forecasts;

/// <summary>An estimate with its 80% range.</summary>
public sealed record ForecastRange(decimal Estimate, decimal Low, decimal High);

/// <summary>
/// "On pace for X (range)": today's and this month's revenue forecast for one store, with the model that made it and
/// how that model scored on the store's own recent days.
/// </summary>
public sealed record RevenueForecast(
    string TenantId,
    string StoreId,
    string Currency,
    string TimeZone,
    DateTimeOffset AsOf,
    string LocalDate,
    int DaysOfHistory,
    string? Model,
    ForecastScore? Backtest,
    IReadOnlyList<ForecastScore> Candidates,
    decimal TodaySoFar,
    decimal? ShareOfDayDone,
    decimal MonthToDate,
    ForecastRange? EndOfDay,
    ForecastRange? EndOfMonth,
    string Text);

/// <summary>
/// Forecasts a store's end-of-day and end-of-month revenue from its history: daily totals from the history store, the
/// model (seasonal-naive, seasonal mean or FastTree) that scored the lowest sMAPE on the last <see cref="HoldoutDays"/>
/// days (sMAPE, not MAPE, because MAPE skips closed days and so rewards a model that expects sales on them), and the
/// store's usual intraday curve to weigh today's pace against the model as the day goes on.
/// </summary>
public sealed class RevenueForecastService(IHistoryStore history, TimeProvider time)
{
    /// <summary>Days held out to choose the model and size the interval.</summary>
    public const int HoldoutDays = 14;

    /// <summary>Days of history read: enough for FastTree's four-week lags to have examples, and a season of quarters.</summary>
    public const int HistoryDays = 120;

    /// <summary>Fewer days with sales than this and no forecast is made: there is nothing to learn a week from.</summary>
    public const int MinimumDays = 14;

    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    public async Task<RevenueForecast> ForecastAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var now = time.GetUtcNow();
        var localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var today = DateOnly.FromDateTime(localNow);
        var first = today.AddDays(-HistoryDays);
        var range = new HistoryRange(HistoryPeriods.LocalToUtc(first.ToDateTime(TimeOnly.MinValue), zone), now);
        var slots = range.Length > TimeSpan.Zero
            ? await history.SlotsAsync(HistoryScope.Store(store.Store.TenantId, store.Store.StoreId), range, Quarter, cancellationToken)
            : [];

        // Local day and quarter of each slot; a quarter's revenue counts towards the day its start falls on.
        var daily = new Dictionary<DateOnly, double>();
        var quarters = new Dictionary<(DateOnly Day, int Quarter), double>();
        foreach (var slot in slots)
        {
            var local = TimeZoneInfo.ConvertTime(range.FromUtc + (Quarter * slot.Index), zone).DateTime;
            var day = DateOnly.FromDateTime(local);
            var revenue = (double)slot.Totals.GrossRevenue;
            daily[day] = daily.GetValueOrDefault(day) + revenue;
            var quarter = ((local.Hour * 60) + local.Minute) / 15;
            quarters[(day, quarter)] = quarters.GetValueOrDefault((day, quarter)) + revenue;
        }

        var todaySoFar = (decimal)daily.GetValueOrDefault(today);
        var firstSale = daily.Where(d => d.Key < today && d.Value > 0).Select(d => d.Key).DefaultIfEmpty(today).Min();
        var series = new List<DayRevenue>();
        for (var day = firstSale; day < today; day = day.AddDays(1))
        {
            series.Add(new DayRevenue(day, daily.GetValueOrDefault(day)));
        }

        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var monthBefore = (decimal)series.Where(d => d.Date >= monthStart).Sum(d => d.Revenue);
        var monthToDate = monthBefore + todaySoFar;
        var daysWithSales = series.Count(d => d.Revenue > 0);
        string Money(decimal value) => $"{store.Currency} {value.ToString("N2", CultureInfo.InvariantCulture)}";
        if (daysWithSales < MinimumDays)
        {
            return new RevenueForecast(store.Store.TenantId, store.Store.StoreId, store.Currency, zone.Id, now, Iso(today), series.Count, null, null, [],
                todaySoFar, null, monthToDate, null, null,
                $"Not enough history to forecast yet: {daysWithSales} day(s) with sales, {MinimumDays} needed.");
        }

        // The model that forecast the store's own recent days best wins; its errors size the range.
        IDailyRevenueModel[] candidates = [new SeasonalNaiveModel(), new SeasonalMeanModel(), new FastTreeModel(), new BlendModel()];
        var scores = candidates.Select(m => (Model: m, Score: ForecastScoring.Backtest(m, series, Math.Min(HoldoutDays, series.Count / 3)))).ToList();
        var best = scores.OrderBy(s => double.IsNaN(s.Score.Smape) ? double.MaxValue : s.Score.Smape).First();
        var q = Math.Clamp(best.Score.Q80, 0.05, 1.0);

        var remainingDays = DateTime.DaysInMonth(today.Year, today.Month) - today.Day + 1;
        var forecasts = best.Model.Forecast(series, remainingDays);

        // Share of a usual day done by now, from the last four weeks' intraday curve.
        var recentDays = series.TakeLast(28).Where(d => d.Revenue > 0).Select(d => d.Date).ToList();
        var nowQuarter = ((localNow.Hour * 60) + localNow.Minute) / 15;
        var partial = (localNow.Minute % 15) / 15.0;
        var done = recentDays.Count == 0 ? localNow.TimeOfDay.TotalDays : recentDays.Average(day =>
        {
            var total = daily[day];
            var before = Enumerable.Range(0, nowQuarter).Sum(k => quarters.GetValueOrDefault((day, k)));
            return (before + (partial * quarters.GetValueOrDefault((day, nowQuarter)))) / total;
        });
        done = Math.Clamp(done, 0, 1);

        // Early in the day the model speaks; as the day fills, today's own pace takes over.
        var modelDay = forecasts[0];
        var pace = done >= 0.05 ? (double)todaySoFar / done : modelDay;
        var blended = (done * pace) + ((1 - done) * modelDay);
        var remaining = (1 - done) * blended;
        var endOfDay = Range((double)todaySoFar + remaining, (double)todaySoFar + (remaining * (1 - q)), (double)todaySoFar + (remaining * (1 + q)));
        var rest = forecasts.Skip(1).Sum();
        var endOfMonth = Range(
            (double)monthBefore + (double)endOfDay.Estimate + rest,
            (double)monthBefore + (double)endOfDay.Low + (rest * (1 - q)),
            (double)monthBefore + (double)endOfDay.High + (rest * (1 + q)));

        var text = $"On pace for {Money(endOfDay.Estimate)} today ({Money(endOfDay.Low)} to {Money(endOfDay.High)}) "
            + $"and {Money(endOfMonth.Estimate)} this month ({Money(endOfMonth.Low)} to {Money(endOfMonth.High)}).";
        return new RevenueForecast(store.Store.TenantId, store.Store.StoreId, store.Currency, zone.Id, now, Iso(today), series.Count, best.Model.Name,
            best.Score, [.. scores.Select(s => s.Score)], todaySoFar, Math.Round((decimal)done, 4), monthToDate, endOfDay, endOfMonth, text);
    }

    private static ForecastRange Range(double estimate, double low, double high) =>
        new(Money(estimate), Money(Math.Min(low, estimate)), Money(Math.Max(high, estimate)));

    private static decimal Money(double value) => Math.Round((decimal)Math.Max(0, value), 2, MidpointRounding.AwayFromZero);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
