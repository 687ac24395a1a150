using System.Globalization;
using SalesDash.Web.Webhooks;

namespace SalesDash.Bench;

/// <summary>
/// Where a paced phase's time could stall, read beside its latencies: how deep the webhook admission queue got (the
/// app's own <see cref="WebhookLimiter.Waiting"/>), how deep the thread pool's queue got (starvation shows there first),
/// and what the GC paused. Sampled from a thread of its own every 5 ms, so a starved pool cannot stop the sampling.
/// </summary>
public sealed class PhaseProbe : IDisposable
{
    private readonly WebhookLimiter? _limiter;
    private readonly Thread _thread;
    private readonly List<int> _waiting = [];
    private readonly List<long> _poolQueue = [];
    private readonly int[] _collections;
    private readonly TimeSpan _pauseAtStart;
    private volatile bool _stop;

    public PhaseProbe(IServiceProvider? services)
    {
        _limiter = services?.GetService(typeof(WebhookLimiter)) as WebhookLimiter;
        _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _pauseAtStart = GC.GetTotalPauseDuration();
        _thread = new Thread(Sample) { IsBackground = true, Name = "phase-probe" };
        _thread.Start();
    }

    private void Sample()
    {
        while (!_stop)
        {
            _waiting.Add(_limiter?.Waiting ?? 0);
            _poolQueue.Add(ThreadPool.PendingWorkItemCount);
            Thread.Sleep(5);
        }
    }

    /// <summary>Stops sampling and describes the phase in one line.</summary>
    public string Stop()
    {
        _stop = true;
        _thread.Join();
        var inv = CultureInfo.InvariantCulture;
        var waiting = _waiting.Select(w => (double)w).Order().ToList();
        var pool = _poolQueue.Select(q => (double)q).Order().ToList();
        var gen2 = GC.CollectionCount(2) - _collections[2];
        var gen1 = GC.CollectionCount(1) - _collections[1] - gen2;
        var gen0 = GC.CollectionCount(0) - _collections[0] - gen1 - gen2;
        var pause = GC.GetTotalPauseDuration() - _pauseAtStart;
        var lastPause = GC.GetGCMemoryInfo(GCKind.Any).PauseDurations.ToArray().Sum(p => p.TotalMilliseconds);
        return string.Create(inv,
            $"admission queue p50 {LatencyReport.Percentile(waiting, 50):0}, p99 {LatencyReport.Percentile(waiting, 99):0}, max {(waiting.Count > 0 ? waiting[^1] : 0):0} waiting; " +
            $"thread-pool queue p50 {LatencyReport.Percentile(pool, 50):0}, p99 {LatencyReport.Percentile(pool, 99):0}, max {(pool.Count > 0 ? pool[^1] : 0):0}; " +
            $"GC {gen0}/{gen1}/{gen2} (gen0/1/2) paused {pause.TotalMilliseconds:0} ms in all, last {lastPause:0.0} ms");
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
