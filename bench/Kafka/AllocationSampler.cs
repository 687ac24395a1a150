using System.Diagnostics.Tracing;
using System.Globalization;

namespace SalesDash.Bench.Kafka;

/// <summary>
/// Which types a phase allocates (<c>--alloc-types N</c>): the runtime's own allocation sampling (GCAllocationTick, one
/// event about every 100 KB a heap allocates, naming the type of the object that crossed the mark), heard in this
/// process, so the fold bench's "KB allocated per record" can be split by type without a profiler on the box. A sample
/// stands for the ~100 KB before it, so a type's share of samples estimates its share of the bytes.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickEvent = 10;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Samples, long Bytes)> _byType = [];
    private volatile bool _listening;

    public void Start()
    {
        lock (_gate)
        {
            _byType.Clear();
        }

        _listening = true;
    }

    public void Stop() => _listening = false;

    /// <summary>The top types by sampled bytes, each with its share and its estimate per item.</summary>
    public IEnumerable<string> Top(int count, long items)
    {
        List<KeyValuePair<string, (long Samples, long Bytes)>> rows;
        lock (_gate)
        {
            rows = [.. _byType];
        }

        var total = rows.Sum(r => r.Value.Bytes);
        var samples = rows.Sum(r => r.Value.Samples);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"allocation by type  {samples} samples, {total / 1048576.0:0} MiB sampled ({total / (double)Math.Max(items, 1):0} bytes per record)");
        foreach (var (type, (n, bytes)) in rows.OrderByDescending(r => r.Value.Bytes).Take(count))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {bytes * 100.0 / Math.Max(total, 1),5:0.0}%  {bytes / (double)Math.Max(items, 1),7:0} bytes/record  {n,6} samples  {type}");
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_listening || eventData.EventId != AllocationTickEvent || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is var t and >= 0 ? payload[t] as string ?? "?" : "?";
        // Objects of 85,000 bytes and more each get a sample of their own: a few samples can carry much of the bytes, so
        // they are counted apart (a state's snapshot is one such object, a record's value is not).
        if (names.IndexOf("AllocationKind") is var k and >= 0 && Convert.ToInt32(payload[k], CultureInfo.InvariantCulture) == 1)
        {
            type += " (large object heap)";
        }

        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(payload[a], CultureInfo.InvariantCulture) : 0L;
        lock (_gate)
        {
            var (samples, bytes) = _byType.GetValueOrDefault(type);
            _byType[type] = (samples + 1, bytes + amount);
        }
    }
}
