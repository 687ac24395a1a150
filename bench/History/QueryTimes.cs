using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using SalesDash.Engine.History;

namespace SalesDash.Bench.History;

/// <summary>
/// Wraps a history store and times each query the dashboard sends it (summary, trend, channel and product breakdowns,
/// each for the current and the previous period), so the bench can say which of them a dashboard's time goes to.
/// </summary>
internal class QueryTimes : DispatchProxy
{
    private readonly ConcurrentDictionary<(string Query, DateTimeOffset From), ConcurrentBag<double>> _times = new();
    private IHistoryStore _inner = null!;

    public static (IHistoryStore Store, QueryTimes Times) Wrap(IHistoryStore inner)
    {
        var store = Create<IHistoryStore, QueryTimes>();
        var times = (QueryTimes)(object)store;
        times._inner = inner;
        return (store, times);
    }

    /// <summary>One line per query: p50 and p95 in ms over every timed dashboard, current period first.</summary>
    public IEnumerable<string> Report()
    {
        foreach (var query in _times.Keys.Select(k => k.Query).Distinct().Order(StringComparer.Ordinal))
        {
            var periods = _times.Keys.Where(k => k.Query == query).OrderByDescending(k => k.From).ToList();
            for (var i = 0; i < periods.Count; i++)
            {
                var sorted = _times[periods[i]].Order().ToList();
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"    {query,-18} {(i == 0 ? "current" : "previous"),-9} p50 {Percentile(sorted, 0.50),6:F0} ms  p95 {Percentile(sorted, 0.95),6:F0} ms  ({sorted.Count} calls)");
            }
        }
    }

    public void Clear() => _times.Clear();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var query = (targetMethod.Name, args) switch
        {
            ("SlotsAsync", [_, HistoryRange range, TimeSpan slot, ..]) => (slot >= range.Length ? "summary" : $"trend ({slot.TotalMinutes:F0} min)", range.FromUtc),
            ("BreakdownAsync", [_, HistoryRange range, BreakdownDimension by, ..]) => ($"breakdown {by}", range.FromUtc),
            _ => ((string, DateTimeOffset)?)null,
        };
        var watch = Stopwatch.StartNew();
        var result = targetMethod.Invoke(_inner, args);
        if (query is { } key && result is Task task)
        {
            task.ContinueWith(
                _ => _times.GetOrAdd(key, _ => []).Add(watch.Elapsed.TotalMilliseconds),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return result;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
