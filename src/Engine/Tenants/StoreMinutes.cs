using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Tenants;

/// <summary>The additive figures of a span of minutes; averages are derived so sums of spans stay exact.</summary>
public sealed record MinuteFigures(decimal Revenue, int Orders, int Sessions)
{
    public static readonly MinuteFigures Zero = new(0m, 0, 0);

    /// <summary>Revenue per order to the cent; null without orders.</summary>
    public decimal? AverageOrderValue => Orders == 0 ? null : Math.Round(Revenue / Orders, 2, MidpointRounding.AwayFromZero);

    /// <summary>Orders per session (4 decimals); null without sessions, as a rate of nothing is unknown.</summary>
    public decimal? ConversionRate => Sessions == 0 ? null : Math.Round((decimal)Orders / Sessions, 4, MidpointRounding.AwayFromZero);

    public bool IsZero => Revenue == 0m && Orders == 0 && Sessions == 0;

    public MinuteFigures Plus(MinuteFigures other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new MinuteFigures(Revenue + other.Revenue, Orders + other.Orders, Sessions + other.Sessions);
    }
}

/// <summary>One channel's part of a minute.</summary>
public sealed record ChannelFigures(SalesChannel Channel, MinuteFigures Figures);

/// <summary>
/// The store entity's completed minutes, for whoever watches them (the alert evaluator). The entity publishes each
/// minute once the clock completes it (<see cref="MinuteClosed"/>), says so before it passivates (<see cref="WentIdle"/>)
/// and when it starts again (<see cref="Woke"/>), and answers a <see cref="Pull"/> from a watcher that has to catch up
/// (a start, or a gap in what it heard). Only figures cross here: what they mean (anomalies, alerts) is the watcher's.
/// </summary>
public static class StoreMinutes
{
    /// <summary>Asks the entity for its minutes from <paramref name="From"/> (all it holds when null) through the last one completed.</summary>
    public sealed record Pull(StoreRef Store, DateTimeOffset? From) : IWithStoreRef;

    /// <summary>
    /// The answer to <see cref="Pull"/>: every minute with something in it from the asked start through
    /// <paramref name="Through"/> (absent minutes are empty), oldest first.
    /// </summary>
    /// <param name="Through">The newest completed minute; every minute up to it is final.</param>
    /// <param name="ChannelsCompleteFrom">The first minute whose channel figures are complete (state recovered from a
    /// snapshot older than channel figures); null when all are.</param>
    public sealed record Pulled(StoreRef Store, DateTimeOffset Through, string TimeZone, string Currency, IReadOnlyList<Minute> Minutes,
        DateTimeOffset? ChannelsCompleteFrom);

    /// <summary>One minute's figures, store-wide and per channel (channels with nothing in the minute are left out).</summary>
    public sealed record Minute(DateTimeOffset At, MinuteFigures Figures, IReadOnlyList<ChannelFigures> Channels);

    /// <summary>Published on <see cref="TopicFor"/> once per completed minute while the entity runs, empty minutes too.</summary>
    public sealed record MinuteClosed(StoreRef Store, string TimeZone, string Currency, Minute Minute);

    /// <summary>
    /// Published as the entity stops (passivation or hand-off): <paramref name="Current"/> is the minute it stops in, with
    /// what it holds, final; nothing is counted after it until <see cref="Woke"/>, because any event would start the
    /// entity again first. So a watcher may close every later minute as empty by its own clock.
    /// </summary>
    /// <param name="At">When it stopped, to tell this notice from one of an earlier life that arrives late.</param>
    public sealed record WentIdle(StoreRef Store, string TimeZone, string Currency, Minute Current, DateTimeOffset At);

    /// <summary>Published when the entity has recovered, before it counts anything: it publishes every minute from <paramref name="From"/> on.</summary>
    public sealed record Woke(StoreRef Store, DateTimeOffset From, DateTimeOffset At);

    /// <summary>The distributed pub-sub topic a store's minutes are published on.</summary>
    public static string TopicFor(StoreRef store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"minutes.{store.TenantId}.{store.StoreId}";
    }

    /// <summary>The figures of one minute as the state holds them now.</summary>
    public static Minute MinuteOf(KpiState state, DateTimeOffset minute)
    {
        ArgumentNullException.ThrowIfNull(state);
        var figures = state.MinuteAt(minute) is { } b ? new MinuteFigures(b.GrossRevenue, b.Orders, b.Sessions) : MinuteFigures.Zero;
        var channels = new List<ChannelFigures>();
        if (!figures.IsZero)
        {
            foreach (var channel in state.Channels)
            {
                if (state.MinuteAt(minute, channel) is { } c)
                {
                    channels.Add(new ChannelFigures(channel, new MinuteFigures(c.GrossRevenue, c.Orders, c.Sessions)));
                }
            }
        }

        return new Minute(minute, figures, channels);
    }

    /// <summary>Every minute with something in it from <paramref name="from"/> (the oldest held when null) through <paramref name="through"/>.</summary>
    public static Pulled Capture(KpiState state, DateTimeOffset? from, DateTimeOffset through, string timeZone, string currency)
    {
        ArgumentNullException.ThrowIfNull(state);
        var minutes = new List<Minute>();
        if (state.EarliestMinute is { } earliest)
        {
            var start = from is { } f && f > earliest ? f : earliest;
            for (var minute = Floor(start); minute <= through; minute = minute.AddMinutes(1))
            {
                var held = MinuteOf(state, minute);
                if (!held.Figures.IsZero)
                {
                    minutes.Add(held);
                }
            }
        }

        return new Pulled(state.Store, through, timeZone, currency, minutes, state.ChannelsCompleteFrom);
    }

    /// <summary>The start of the minute <paramref name="instant"/> falls in.</summary>
    public static DateTimeOffset Floor(DateTimeOffset instant) =>
        DateTimeOffset.FromUnixTimeSeconds((Math.DivRem(instant.ToUnixTimeSeconds(), 60, out var rem) - (rem < 0 ? 1 : 0)) * 60);
}
