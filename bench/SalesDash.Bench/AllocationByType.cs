using System.Diagnostics.Tracing;
using System.Globalization;

namespace SalesDash.Bench;

/// <summary>
/// Bytes allocated in a phase by type, from the runtime's own allocation sample (GCAllocationTick: one event about every
/// 100 KB a heap allocates, naming the type whose allocation crossed the mark), so a type's share of the events is its
/// share of the bytes, within a few per cent over hundreds of megabytes. The whole process is counted (the bench's
/// clients too): read the app's share against the ceiling phase's, which runs the same clients. Listening costs CPU, so
/// it runs only when asked (--alloc-types N).
/// </summary>
public sealed class AllocationByType : EventListener
{
    // The runtime's GC keyword; GCAllocationTick is raised at verbose level only.
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickEventId = 10;

    private readonly Lock _counted = new();
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _counting;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (!_counting || eventData.EventId != AllocationTickEventId || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is var t and >= 0 ? payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(payload[a], CultureInfo.InvariantCulture) : 0;
        lock (_counted)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }

    /// <summary>Forgets what was counted and counts from now.</summary>
    public void Start()
    {
        lock (_counted)
        {
            _bytes.Clear();
        }

        _counting = true;
    }

    /// <summary>Stops counting and lists the <paramref name="top"/> types by KB a webhook, one line each.</summary>
    public IReadOnlyList<string> Stop(int items, int top)
    {
        _counting = false;
        KeyValuePair<string, long>[] all;
        lock (_counted)
        {
            all = [.. _bytes.OrderByDescending(p => p.Value)];
        }

        var total = all.Sum(p => p.Value);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"sampled {total / 1024.0 / Math.Max(1, items):0.0} KB a webhook in {all.Length} types; the top {Math.Min(top, all.Length)}:"),
        };
        lines.AddRange(all.Take(top).Select(p => string.Create(CultureInfo.InvariantCulture,
            $"  {p.Value / 1024.0 / Math.Max(1, items),6:0.00} KB {100.0 * p.Value / Math.Max(1, total),5:0.0}%  {p.Key}")));
        return lines;
    }
}
