using System.Globalization;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Engine.Forecasts;

namespace SalesDash.Bench.Forecasts;

/// <summary>
/// Daily revenue of the data set (UK days; sales minus cancellations as the shop books them) forecast one day ahead
/// over the last N days, from the days before each: seasonal-naive (same weekday last week), the seasonal mean and
/// FastTree. Then the same days forecast at noon, when half the day is known (the dashboard's "on pace for").
/// </summary>
internal static class ForecastBench
{
    public static void Run(IReadOnlyList<RetailLine> lines, int holdout)
    {
        var byDay = lines.GroupBy(l => DateOnly.FromDateTime(l.InvoiceDate)).ToDictionary(g => g.Key, g => g.Sum(l => (double)(l.Quantity * l.UnitPrice)));
        var first = byDay.Keys.Min();
        var last = byDay.Keys.Max();
        var series = new List<DayRevenue>();
        for (var d = first; d <= last; d = d.AddDays(1))
        {
            series.Add(new DayRevenue(d, Math.Max(0, byDay.GetValueOrDefault(d))));
        }

        Console.WriteLine($"## Daily revenue, one day ahead: last {holdout} days ({series[^holdout].Date:yyyy-MM-dd} to {last:yyyy-MM-dd}), {series.Count} days in all");
        Console.WriteLine("| model | days | MAPE (days with sales) | sMAPE (all days) | 80% relative error |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        IDailyRevenueModel[] models = [new SeasonalNaiveModel(), new SeasonalMeanModel(), new FastTreeModel(), new BlendModel()];
        foreach (var model in models)
        {
            var score = ForecastScoring.Backtest(model, series, holdout);
            Console.WriteLine(Row(score));
        }

        // At noon: today's sales so far plus the model's day weighed by the usual share of the day still to come.
        var holdoutStart = series[^holdout].Date;
        var byQuarterShare = SharesBefore([.. lines.Where(l => DateOnly.FromDateTime(l.InvoiceDate) < holdoutStart)], new TimeOnly(12, 0));
        Console.WriteLine();
        Console.WriteLine($"## End of day at 12:00 (usual share of the day done by noon: {byQuarterShare:P0})");
        Console.WriteLine("| method | days | MAPE | sMAPE |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var noonSales = lines.Where(l => l.InvoiceDate.TimeOfDay < TimeSpan.FromHours(12))
            .GroupBy(l => DateOnly.FromDateTime(l.InvoiceDate)).ToDictionary(g => g.Key, g => g.Sum(l => (double)(l.Quantity * l.UnitPrice)));
        foreach (var model in models)
        {
            var pairs = new List<(double, double)>();
            for (var i = series.Count - holdout; i < series.Count; i++)
            {
                var modelDay = model.Forecast(series.Take(i).ToList(), 1)[0];
                var soFar = Math.Max(0, noonSales.GetValueOrDefault(series[i].Date));
                var done = byQuarterShare;
                var pace = soFar / done;
                var blended = (done * pace) + ((1 - done) * modelDay);
                pairs.Add((series[i].Revenue, soFar + ((1 - done) * blended)));
            }

            var s = ForecastScoring.Score($"{model.Name} + pace", pairs);
            Console.WriteLine($"| {s.Model} | {s.Days} | {s.Mape:P1} | {s.Smape:P1} |");
        }

        // End of month: forecast on the 15th of the last whole month, against what the month made.
        var monthStart = new DateOnly(last.Year, last.Month, 1).AddMonths(-1);
        var monthEnd = monthStart.AddMonths(1).AddDays(-1);
        var mid = monthStart.AddDays(14);
        var known = series.Where(d => d.Date <= mid).ToList();
        var actual = series.Where(d => d.Date >= monthStart && d.Date <= monthEnd).Sum(d => d.Revenue);
        var soFarMonth = series.Where(d => d.Date >= monthStart && d.Date <= mid).Sum(d => d.Revenue);
        Console.WriteLine();
        Console.WriteLine($"## End of month {monthStart:yyyy-MM}, forecast on {mid:yyyy-MM-dd}: actual {actual.ToString("N0", CultureInfo.InvariantCulture)}");
        Console.WriteLine("| model | forecast | error |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var model in models)
        {
            var forecast = soFarMonth + model.Forecast(known, monthEnd.DayNumber - mid.DayNumber).Sum();
            Console.WriteLine($"| {model.Name} | {forecast.ToString("N0", CultureInfo.InvariantCulture)} | {(forecast - actual) / actual:P1} |");
        }
    }

    private static double SharesBefore(IReadOnlyList<RetailLine> lines, TimeOnly time)
    {
        var total = lines.Sum(l => (double)(l.Quantity * l.UnitPrice));
        var before = lines.Where(l => TimeOnly.FromDateTime(l.InvoiceDate) < time).Sum(l => (double)(l.Quantity * l.UnitPrice));
        return before / total;
    }

    private static string Row(ForecastScore s) => $"| {s.Model} | {s.Days} | {s.Mape:P1} | {s.Smape:P1} | {s.Q80:P0} |";
}
