using System.Diagnostics.Metrics;
using System.Globalization;
using SalesDash.Engine.Tenants;
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
    private readonly List<(DateTimeOffset At, long Queued)> _poolQueueAt = [];
    private readonly PoolCensus _census = new();
    private int _maxPoolThreads;
    private readonly int[] _collections;
    private readonly TimeSpan _pauseAtStart;
    private volatile bool _stop;
    private readonly MeterListener _meters = new();
    private readonly Lock _measured = new();
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private long _arrivedDuringWrite;
    private long _arrivedWhileIdle;

    /// <summary>Each GC seen by the sampler: when it was seen (within 5 ms of its end), its pause and its generation.</summary>
    private readonly List<(DateTimeOffset SeenAt, double PauseMs, int Generation)> _gcs = [];
    private readonly long[] _gcIndex = new long[3];
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];

    public PhaseProbe(IServiceProvider? services)
    {
        _limiter = services?.GetService(typeof(WebhookLimiter)) as WebhookLimiter;
        _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _pauseAtStart = GC.GetTotalPauseDuration();
        for (var k = 0; k < Kinds.Length; k++)
        {
            _gcIndex[k] = GC.GetGCMemoryInfo(Kinds[k]).Index;
        }

        _thread = new Thread(Sample) { IsBackground = true, Name = "phase-probe" };
        _thread.Start();

        // The POST's parts as the app measures them: the admission wait and each group commit's size, write, fold and
        // the delay before the next batch starts (GroupCommitMetrics, WebhookAdmissionMetrics).
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is GroupCommitMetrics.MeterName or WebhookAdmissionMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        _meters.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
        _meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tags.Length > 0 && tags[0].Value is true)
            {
                Interlocked.Add(ref _arrivedDuringWrite, value);
            }
            else
            {
                Interlocked.Add(ref _arrivedWhileIdle, value);
            }
        });
        _meters.Start();
    }

    private void Add(string name, double value)
    {
        lock (_measured)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                _values[name] = list = [];
            }

            list.Add(value);
        }
    }

    /// <summary>The POST's parts over the phase in one line: admission wait, and the group commits' size, write, fold and gap.</summary>
    public string PostSplit()
    {
        var inv = CultureInfo.InvariantCulture;
        string Of(string name, string unit)
        {
            List<double> sorted;
            lock (_measured)
            {
                sorted = _values.TryGetValue(name, out var list) ? [.. list.Order()] : [];
            }

            return sorted.Count == 0
                ? "none"
                : string.Create(inv, $"p50 {LatencyReport.Percentile(sorted, 50):0.#} / p99 {LatencyReport.Percentile(sorted, 99):0.#} / max {sorted[^1]:0.#}{unit}");
        }

        int Count(string name)
        {
            lock (_measured)
            {
                return _values.TryGetValue(name, out var list) ? list.Count : 0;
            }
        }

        var during = Interlocked.Read(ref _arrivedDuringWrite);
        var arrived = during + Interlocked.Read(ref _arrivedWhileIdle);
        return string.Create(inv,
            $"admission wait {Of("salesdash.webhook.admission.wait", " ms")}; {Count("salesdash.journal.batch.size")} journal writes of " +
            $"{Of("salesdash.journal.batch.size", " events")}; write (commit + fsync) {Of("salesdash.journal.batch.write", " ms")}; " +
            $"fold + answers {Of("salesdash.journal.batch.fold", " ms")}; next batch started after {Of("salesdash.journal.batch.next_delay", " ms")}; " +
            $"{(arrived == 0 ? 0 : 100.0 * during / arrived):0}% of {arrived} events arrived while a write was under way");
    }

    private void Sample()
    {
        while (!_stop)
        {
            _waiting.Add(_limiter?.Waiting ?? 0);
            var queued = ThreadPool.PendingWorkItemCount;
            _poolQueue.Add(queued);
            lock (_poolQueueAt)
            {
                _poolQueueAt.Add((DateTimeOffset.UtcNow, queued));
            }

            _maxPoolThreads = Math.Max(_maxPoolThreads, ThreadPool.ThreadCount);
            _census.Sample(queued, System.Diagnostics.Stopwatch.GetTimestamp(), System.Diagnostics.Stopwatch.Frequency);
            NoteGcs();
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Notes the last GC of each kind if it is new since the last sample: a GC's pause, not only the phase's total, so a
    /// slow push can be laid beside the pauses that fell inside it. Two GCs of one kind within 5 ms would show as one.
    /// </summary>
    private void NoteGcs()
    {
        for (var k = 0; k < Kinds.Length; k++)
        {
            var info = GC.GetGCMemoryInfo(Kinds[k]);
            if (info.Index > _gcIndex[k])
            {
                _gcIndex[k] = info.Index;
                var pause = 0.0;
                foreach (var p in info.PauseDurations)
                {
                    pause += p.TotalMilliseconds;
                }

                lock (_gcs)
                {
                    _gcs.Add((DateTimeOffset.UtcNow, pause, info.Generation));
                }
            }
        }
    }

    /// <summary>The GC pauses seen in a window (a push's write to its receipt, widened by the 5 ms sampling and the pause itself), in ms.</summary>
    public double GcPausedBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gcs)
        {
            // A GC seen at t paused in [t - pause - 5 ms, t].
            return _gcs.Where(g => g.SeenAt >= from && g.SeenAt - TimeSpan.FromMilliseconds(g.PauseMs + 5) <= to).Sum(g => g.PauseMs);
        }
    }

    /// <summary>Stops sampling and describes the phase in one line.</summary>
    public string Stop()
    {
        _meters.Dispose();
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
            $"thread-pool queue p50 {LatencyReport.Percentile(pool, 50):0}, p99 {LatencyReport.Percentile(pool, 99):0}, max {(pool.Count > 0 ? pool[^1] : 0):0} ({_maxPoolThreads} pool threads at most); " +
            $"GC {gen0}/{gen1}/{gen2} (gen0/1/2) paused {pause.TotalMilliseconds:0} ms in all, last {lastPause:0.0} ms; {GcPauses()}");
    }

    private string GcPauses()
    {
        lock (_gcs)
        {
            return _gcs.Count == 0
                ? "no GC seen by the sampler"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{_gcs.Count} GCs seen, longest pause {_gcs.Max(g => g.PauseMs):0.0} ms (gen {_gcs.MaxBy(g => g.PauseMs).Generation}), each: {string.Join(" ", _gcs.Select(g => $"{g.PauseMs:0.0}/g{g.Generation}"))}");
        }
    }

    /// <summary>What the deep thread-pool queues held (<see cref="PoolCensus"/>), after <see cref="Stop"/>.</summary>
    public string PoolCensus() => _census.Describe();

    /// <summary>The deepest thread-pool queue sampled between two instants (a push's write and its receipt); -1 if none was sampled.</summary>
    public long PoolQueueMaxBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_poolQueueAt)
        {
            var max = -1L;
            foreach (var (at, queued) in _poolQueueAt)
            {
                if (at >= from && at <= to)
                {
                    max = Math.Max(max, queued);
                }
            }

            return max;
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _stop = true;
        _thread.Join();
    }
}
