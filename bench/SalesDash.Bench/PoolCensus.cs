using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace SalesDash.Bench;

/// <summary>
/// Who fills the thread pool's queue: when the queue is deep, the probe's own thread reads the queued work items (the
/// runtime's debugger view, <c>ThreadPool.GetQueuedWorkItems</c>, reached by reflection: bench only) and counts them by the
/// code they will run: an async method's state machine, a delegate's method, or the work item's own type (an actor
/// mailbox, Kestrel's I/O queue). Census of the deepest moment and of every deep moment together.
/// </summary>
public sealed class PoolCensus
{
    private static readonly MethodInfo? QueuedWorkItems =
        typeof(ThreadPool).GetMethod("GetQueuedWorkItems", BindingFlags.NonPublic | BindingFlags.Static, Type.EmptyTypes);

    private readonly Dictionary<string, int> _all = new(StringComparer.Ordinal);
    private Dictionary<string, int> _deepest = new(StringComparer.Ordinal);
    private int _deepestCount;
    private int _taken;
    private long _lastTakenAt;

    /// <summary>Queue depth from which a census is taken.</summary>
    public int Threshold { get; init; } = 100;

    public bool Available => QueuedWorkItems is not null;

    /// <summary>Takes a census if the queue is deep and the last one is at least 20 ms old, or this is the deepest yet.</summary>
    public void Sample(long queued, long timestamp, long frequency)
    {
        if (QueuedWorkItems is null || queued < Threshold || (queued <= _deepestCount && timestamp - _lastTakenAt < frequency / 50))
        {
            return;
        }

        _lastTakenAt = timestamp;
        var census = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        try
        {
            foreach (var item in (IEnumerable<object>)QueuedWorkItems.Invoke(null, null)!)
            {
                var label = Label(item);
                census[label] = census.GetValueOrDefault(label) + 1;
                count++;
            }
        }
        catch (InvalidOperationException)
        {
            return; // the local queues moved under the enumeration: the next sample tries again
        }

        _taken++;
        foreach (var (label, n) in census)
        {
            _all[label] = _all.GetValueOrDefault(label) + n;
        }

        if (count > _deepestCount)
        {
            _deepestCount = count;
            _deepest = census;
        }
    }

    public string Describe(int top = 8)
    {
        if (QueuedWorkItems is null)
        {
            return "not available (no ThreadPool.GetQueuedWorkItems in this runtime)";
        }

        if (_taken == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the queue never reached {Threshold} items");
        }

        static string Top(Dictionary<string, int> census, int top)
        {
            var total = Math.Max(1, census.Values.Sum());
            return string.Join(", ", census.OrderByDescending(c => c.Value).Take(top)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {100.0 * c.Value / total:0}%")));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"deepest ({_deepestCount} items): {Top(_deepest, top)}; all {_taken} censuses of {Threshold}+ ({_all.Values.Sum()} items): {Top(_all, top)}");
    }

    /// <summary>The code a queued item will run, named by its declaring type and method.</summary>
    private static string Label(object item)
    {
        if (StateMachineOf(item) is { } machine)
        {
            return machine;
        }

        var type = item.GetType();
        // QueueUserWorkItem's and a pipe scheduler's items hold a delegate and its state; a Task.Run holds its delegate.
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            var value = field.GetValue(item);
            if (value is not null && StateMachineOf(value) is { } inner)
            {
                return inner;
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (field.GetValue(item) is Delegate d)
            {
                var target = d.Target is { } t && StateMachineOf(t) is { } fromTarget ? fromTarget : null;
                return target ?? $"{Short(d.Method.DeclaringType)}.{d.Method.Name}";
            }
        }

        return Short(type);
    }

    private static string? StateMachineOf(object value)
    {
        if (value is IAsyncStateMachine machine)
        {
            return Short(machine.GetType());
        }

        var type = value.GetType();
        if (type.IsGenericType && type.GetGenericArguments().FirstOrDefault(a => typeof(IAsyncStateMachine).IsAssignableFrom(a)) is { } sm)
        {
            return Short(sm);
        }

        return null;
    }

    private static string Short(Type? type)
    {
        if (type is null)
        {
            return "?";
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        name = tick > 0 ? name[..tick] : name;
        return type.DeclaringType is { } outer ? $"{Short(outer)}.{name}" : name;
    }
}
