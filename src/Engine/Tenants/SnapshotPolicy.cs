namespace SalesDash.Engine.Tenants;

/// <summary>
/// When an event-sourced entity saves a snapshot. Saving one costs in proportion to the state it holds (every
/// remembered order and event id is serialised and written), so a fixed "every N events" makes a busy store pay that
/// cost again and again as it grows: with 30,000 orders held, a snapshot every 500 events cost the webhook path about
/// 7% of its CPU in the issue 15 profile. Spacing snapshots by at least a quarter of the state's size keeps the cost per
/// event constant, and recovery still replays at most a quarter of the state's size in events after loading it.
/// </summary>
public static class SnapshotPolicy
{
    /// <summary>Events between snapshots while the state is small: recovery replays at most this many after the snapshot.</summary>
    public const int MinEventsBetween = 500;

    /// <summary>Events between snapshots per entry the state holds: 4 means a quarter of its entries.</summary>
    public const int EntriesPerEvent = 4;

    /// <summary>
    /// Whether a snapshot is due after <paramref name="eventsSinceSnapshot"/> events, for a state holding
    /// <paramref name="stateEntries"/> entries (remembered orders, event ids and other per-item memory).
    /// </summary>
    public static bool IsDue(int eventsSinceSnapshot, long stateEntries) => eventsSinceSnapshot >= EventsBetween(stateEntries);

    /// <summary>How many events may pass between snapshots of a state of this size.</summary>
    public static long EventsBetween(long stateEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stateEntries);
        return Math.Max(MinEventsBetween, stateEntries / EntriesPerEvent);
    }
}
