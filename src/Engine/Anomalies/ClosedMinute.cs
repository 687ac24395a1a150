using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Anomalies;

/// <summary>The KPI streams a store's entity watches for anomalies, each over the trailing <see cref="MinuteMonitor.WindowMinutes"/>.</summary>
public enum KpiStream
{
    Revenue,
    Orders,
    AverageOrderValue,
    ConversionRate,
}

/// <summary>The figure of one metric from a span's figures.</summary>
public static class MinuteFiguresStreams
{
    /// <summary>The figure of one metric; null where it is undefined (an average of no orders).</summary>
    public static decimal? Of(this MinuteFigures figures, KpiStream stream)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return stream switch
        {
            KpiStream.Revenue => figures.Revenue,
            KpiStream.Orders => figures.Orders,
            KpiStream.AverageOrderValue => figures.AverageOrderValue,
            KpiStream.ConversionRate => figures.ConversionRate,
            _ => throw new ArgumentOutOfRangeException(nameof(stream), stream, null),
        };
    }
}

/// <summary>The detector's verdict on one stream for one closed minute: a KPI of the whole store, or of one channel.</summary>
/// <param name="Channel">The channel the stream is cut to; null for the whole store.</param>
public sealed record StreamReading(KpiStream Stream, AnomalyVerdict Verdict, SalesChannel? Channel = null)
{
    /// <summary>The stream's name as people read it: "Revenue" or "Revenue on Amazon".</summary>
    public string Name => Channel is { } c ? $"{Stream} on {c}" : Stream.ToString();
}

/// <summary>One selling channel's part of a closed minute, for rules that watch a channel.</summary>
/// <param name="MinutesSinceLastOrder">Whole minutes since the channel's newest minute with an order, this one included.</param>
public sealed record ChannelMinute(SalesChannel Channel, MinuteFigures Figures, MinuteFigures Yesterday, MinuteFigures LastWeek, int MinutesSinceLastOrder);

/// <summary>
/// One store's completed minute: its own figures, the same minute yesterday and a week ago (for %-change rules), how
/// long since the last order (for the "checkout is broken" rule), the anomaly verdict of each stream over the
/// trailing window ending with it, and the same per selling channel. Everything here comes from the entity's buckets, so it can be rebuilt after recovery.
/// </summary>
/// <param name="Minute">Start of the minute (UTC).</param>
/// <param name="LocalMinute">The same instant on the store's wall clock.</param>
/// <param name="MinutesSinceLastOrder">Whole minutes since the newest minute with an order, this one included; null when
/// no order is held at all (a new store), as "never" is not a length of time.</param>
public sealed record ClosedMinute(
    StoreRef Store,
    DateTimeOffset Minute,
    DateTime LocalMinute,
    string TimeZone,
    string Currency,
    MinuteFigures Figures,
    MinuteFigures Yesterday,
    MinuteFigures LastWeek,
    int? MinutesSinceLastOrder,
    IReadOnlyList<StreamReading> Readings,
    IReadOnlyList<ChannelMinute>? Channels = null)
{
    /// <summary>The store-wide verdict of a stream.</summary>
    public AnomalyVerdict? VerdictOf(KpiStream stream) => Readings.FirstOrDefault(r => r.Stream == stream && r.Channel is null)?.Verdict;

    /// <summary>The verdict of a stream cut to one channel; the store-wide one when <paramref name="channel"/> is null.</summary>
    public AnomalyVerdict? VerdictOf(KpiStream stream, SalesChannel? channel) =>
        Readings.FirstOrDefault(r => r.Stream == stream && r.Channel == channel)?.Verdict;

    /// <summary>One channel's figures this minute; null when the channel has not sold in the held minutes.</summary>
    public ChannelMinute? ChannelOf(SalesChannel channel) => Channels?.FirstOrDefault(c => c.Channel == channel);
}
