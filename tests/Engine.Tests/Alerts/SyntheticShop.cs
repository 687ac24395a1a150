using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Alerts;

/// <summary>
/// A shop with a daily rhythm (quiet nights, a busy afternoon) and Poisson order arrivals, seeded so every run sees the
/// same orders. <see cref="Drop"/> scales the rate of chosen minutes to inject an outage or a slump.
/// </summary>
internal sealed class SyntheticShop(int seed, double busiestOrdersPerMinute = 4)
{
    private readonly Random _random = new(seed);
    private int _next;

    public Func<DateTimeOffset, double> Drop { get; init; } = _ => 1.0;

    /// <summary>The channel the shop's orders arrive through.</summary>
    public SalesChannel Channel { get; init; } = SalesChannel.Shopify;

    /// <summary>Orders per minute at a UTC instant (the shop runs on UTC): 10% of the peak at 03:00, the peak at 15:00.</summary>
    public double RateAt(DateTimeOffset at)
    {
        var hour = at.UtcDateTime.TimeOfDay.TotalHours;
        var shape = 0.55 - (0.45 * Math.Cos((hour - 3) / 24 * 2 * Math.PI));
        return busiestOrdersPerMinute * shape * Drop(at);
    }

    /// <summary>The orders placed in the minute starting at <paramref name="minute"/>.</summary>
    public IReadOnlyList<OrderPlaced> OrdersIn(DateTimeOffset minute)
    {
        var count = Poisson(RateAt(minute));
        var orders = new List<OrderPlaced>(count);
        for (var i = 0; i < count; i++)
        {
            var at = minute.AddSeconds(_random.Next(0, 60));
            var total = Math.Round(20m + (decimal)(_random.NextDouble() * 60), 2);
            orders.Add(TestEvents.Placed($"o{seed}-{_next++}", at, total, zone: "UTC") with { Channel = Channel });
        }

        return orders;
    }

    /// <summary>Applies every minute in [from, to) to <paramref name="state"/>, calling <paramref name="afterMinute"/> with the clock just past each.</summary>
    public void Run(KpiState state, DateTimeOffset from, DateTimeOffset to, Action<DateTimeOffset>? afterMinute = null)
    {
        for (var minute = from; minute < to; minute = minute.AddMinutes(1))
        {
            foreach (var order in OrdersIn(minute))
            {
                state.Apply(order);
            }

            afterMinute?.Invoke(minute.AddMinutes(1).AddSeconds(1));
        }
    }

    private int Poisson(double lambda)
    {
        // Knuth's method: fine for the small rates of one minute.
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }
}
