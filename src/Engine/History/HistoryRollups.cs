namespace SalesDash.Engine.History;

/// <summary>
/// What both stores' rollups share. Rollups hold, per store and UTC hour, the figures the dashboard sums: per channel
/// (orders, revenue, units, new/returning/cancelled orders, refunds, sessions) and per product (revenue, orders holding
/// the SKU, units, refunds, refunded units). A replayed or duplicate batch can never count twice: DuckDB adds each
/// write's delta against the facts it replaces (see DuckDbRollups), ClickHouse recomputes every hour a batch touches
/// from the deduplicated facts. Hours in UTC give
/// exact store-local days in every zone whose offset is a whole number of hours (DST included); a range that does not
/// start and end on whole UTC hours (a :30 or :45 zone) is answered from the facts instead.
/// </summary>
public static class HistoryRollups
{
    /// <summary>
    /// Bump when a rollup's definition changes: a store holding an older version rebuilds its rollups from facts on start.
    /// DuckDB's table also carries its own upkeep column and version (DuckDbRollups.Version).
    /// </summary>
    public const int Version = 1;

    public const long HourSeconds = 3600;

    /// <summary>True when <paramref name="range"/> can be summed from hourly rollups into slots of <paramref name="slotSeconds"/>.</summary>
    public static bool Covers(HistoryRange range, long slotSeconds)
    {
        ArgumentNullException.ThrowIfNull(range);
        return IsWholeHour(range.FromUtc) && IsWholeHour(range.ToUtc) && slotSeconds % HourSeconds == 0;
    }

    /// <summary>True when <paramref name="range"/> starts and ends on whole UTC hours.</summary>
    public static bool Covers(HistoryRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return IsWholeHour(range.FromUtc) && IsWholeHour(range.ToUtc);
    }

    public static bool IsWholeHour(DateTimeOffset at) => at.ToUnixTimeMilliseconds() % (HourSeconds * 1000) == 0;

    /// <summary>The UTC hour an instant falls in, as Unix seconds.</summary>
    public static long HourOf(DateTimeOffset at) => (long)Math.Floor(at.ToUnixTimeSeconds() / (double)HourSeconds) * HourSeconds;
}
