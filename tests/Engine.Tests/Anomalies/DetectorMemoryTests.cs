using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Alerts;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// Issue 15 pt 7: a quiet store's detectors hold less, and judge exactly as before. Each compact form is run side by
/// side with the form it replaced over randomised streams, and every estimate or verdict must match to the bit.
/// </summary>
public sealed class DetectorMemoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 6)] // a quiet stream: a handful of distinct values, stays a byte a slot
    [InlineData(2, 200)] // near the palette's limit, with values leaving and codes reused
    [InlineData(3, 100_000)] // a busy stream: overflows to floats part-way
    public void Paletted_seasonal_history_estimates_exactly_as_the_float_ring(int seed, int distinct)
    {
        var random = new Random(seed);
        var step = TimeSpan.FromMinutes(1);
        var season = TimeSpan.FromHours(6);
        var paletted = new SeasonalBaseline(step, season, seasons: 3, slotRadius: 2);
        var oracle = new FloatRingSeasonalBaseline(step, season, seasons: 3, slotRadius: 2);
        var at = Start;
        for (var i = 0; i < 6_000; i++)
        {
            // Mostly the next minute; now and then a gap (slots cleared), a rewrite of a recent minute, or one too old.
            var roll = random.Next(100);
            at = roll switch
            {
                < 3 => at.AddMinutes(random.Next(2, 400)),
                _ => at.AddMinutes(1),
            };
            var writeAt = roll switch
            {
                >= 3 and < 8 => at.AddMinutes(-random.Next(0, 30)),
                8 => at.AddHours(-30),
                _ => at,
            };
            var value = random.Next(4) == 0 ? 0 : (random.Next(distinct) * 1.25) - (distinct / 3.0);
            if (random.Next(500) == 0)
            {
                value = -0.0;
            }

            Assert.Equal(oracle.Estimate(writeAt), paletted.Estimate(writeAt));
            paletted.Add(writeAt, value);
            oracle.Add(writeAt, value);
            var probe = at.AddMinutes(random.Next(-200, 400));
            var expected = oracle.Estimate(probe);
            var actual = paletted.Estimate(probe);
            Assert.Equal(expected, actual);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected?.Median ?? 0), BitConverter.DoubleToInt64Bits(actual?.Median ?? 0));
        }

        Assert.Equal(distinct <= 200, paletted.IsCompact);
    }

    [Fact]
    public void A_quiet_store_s_seasonal_history_stays_runs_and_estimates_exactly_as_the_float_ring()
    {
        // The monitor's shape: minutes, a day a season, three seasons, a radius of one; ~20 orders a day, each one's
        // 15-minute sum held for a quarter hour, now and then a gap or a rewrite of a recent minute.
        var random = new Random(7);
        var step = TimeSpan.FromMinutes(1);
        var season = TimeSpan.FromDays(1);
        var runs = new SeasonalBaseline(step, season, seasons: 3, slotRadius: 1);
        var oracle = new FloatRingSeasonalBaseline(step, season, seasons: 3, slotRadius: 1);
        var at = Start;
        var held = 0.0;
        var heldFor = 0;
        for (var i = 0; i < 9 * 1440; i++)
        {
            at = random.Next(3_000) == 0 ? at.AddMinutes(random.Next(2, 300)) : at.AddMinutes(1);
            if (heldFor-- <= 0)
            {
                held = random.Next(72) == 0 ? random.Next(1, 40) * 12.5 : 0;
                heldFor = held == 0 ? 0 : 15;
            }

            var writeAt = random.Next(100) == 0 ? at.AddMinutes(-random.Next(0, 20)) : at;
            runs.Add(writeAt, held);
            oracle.Add(writeAt, held);
            var expected = oracle.Estimate(at.AddMinutes(1));
            var actual = runs.Estimate(at.AddMinutes(1));
            Assert.Equal(expected, actual);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected?.Spread ?? 0), BitConverter.DoubleToInt64Bits(actual?.Spread ?? 0));
            var probe = at.AddMinutes(-random.Next(600));
            Assert.Equal(oracle.Estimate(probe), runs.Estimate(probe));
        }

        Assert.True(runs.IsRuns);
        var clone = runs.Clone();
        Assert.Equal(runs.Estimate(at.AddMinutes(1)), clone.Estimate(at.AddMinutes(1)));
    }

    [Fact]
    public void Palette_keeps_every_value_bit_for_bit_and_frees_codes_no_slot_holds()
    {
        var ring = new PaletteRing(300);
        Assert.True(float.IsNaN(ring[5]));

        // 300 distinct values written one over another in three slots: codes are freed as values leave.
        for (var i = 0; i < 300; i++)
        {
            ring[i % 3] = i + 0.5f;
        }

        Assert.True(ring.IsPaletted);
        ring[10] = -0f;
        ring[11] = 0f;
        ring[12] = float.PositiveInfinity;
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(ring[10]));
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(ring[11]));
        Assert.Equal(float.PositiveInfinity, ring[12]);
        Assert.Equal(297.5f, ring[0]);
        var copy = ring.Clone();

        // 256 distinct values held at once no longer fit a byte: the ring moves to floats and loses nothing.
        for (var i = 0; i < 256; i++)
        {
            ring[20 + i] = i * 3.25f;
        }

        Assert.False(ring.IsPaletted);
        Assert.Equal(255 * 3.25f, ring[275]);
        Assert.Equal(-0f, ring[10]);
        Assert.True(float.IsNaN(ring[19]));
        Assert.True(copy.IsPaletted);
        Assert.True(float.IsNaN(copy[20]));
        Assert.Equal(297.5f, copy[0]);
    }

    [Fact]
    public void A_cloned_detector_goes_on_exactly_as_the_original()
    {
        var random = new Random(5);
        var original = new KpiAnomalyDetector(MinuteMonitor.DefaultOptions);
        KpiAnomalyDetector? clone = null;
        var at = Start;
        for (var i = 0; i < 5 * 1440; i++, at = at.AddMinutes(1))
        {
            if (i == 3 * 1440)
            {
                clone = original.Clone();
            }

            var value = Math.Max(0, 10 + (5 * Math.Sin(i / 229.0)) + random.NextDouble() - (i % 997 < 20 ? 10 : 0));
            var verdict = original.Observe(at, value, 1);
            if (clone is not null)
            {
                Assert.Equal(verdict, clone.Observe(at, value, 1));
            }
        }

        Assert.Equal(5 * 1440, original.Observed);
        Assert.Equal(original.Observed, clone!.Observed);
    }

    [Fact]
    public void A_store_selling_through_one_channel_shares_its_detectors_and_judges_exactly_as_before()
    {
        var shop = new SyntheticShop(31, busiestOrdersPerMinute: 0.05) { Channel = SalesChannel.Shopify };
        var (shared, own) = RunSideBySide(Start.AddDays(5), shop);

        // 4 store streams; Shopify's revenue, orders and order value are the store's and share their detectors.
        Assert.Equal(4, shared.DetectorCount);
        Assert.Equal(4 + 3, own.DetectorCount);
    }

    [Fact]
    public void A_second_channel_parts_the_shared_detectors_from_the_minute_it_sells_and_verdicts_stay_exact()
    {
        var storefront = new SyntheticShop(32, busiestOrdersPerMinute: 0.4) { Channel = SalesChannel.Shopify };

        // Amazon starts selling on day 4: until then Shopify's streams are the store's; from then each has its own.
        var amazon = new SyntheticShop(33, busiestOrdersPerMinute: 0.2) { Channel = SalesChannel.Amazon, Drop = at => at < Start.AddDays(4) ? 0.0 : 1.0 };
        var (shared, own) = RunSideBySide(Start.AddDays(5), storefront, amazon);
        Assert.Equal(4 + 3 + 3, shared.DetectorCount);
        Assert.Equal(own.DetectorCount, shared.DetectorCount);
    }

    [Fact]
    public void Channels_selling_from_the_start_each_keep_their_own_detectors_and_a_rebuild_matches()
    {
        var storefront = new SyntheticShop(34, busiestOrdersPerMinute: 0.3) { Channel = SalesChannel.Shopify };
        var amazon = new SyntheticShop(35, busiestOrdersPerMinute: 0.1) { Channel = SalesChannel.Amazon };
        var (shared, _) = RunSideBySide(Start.AddDays(6), storefront, amazon);
        Assert.Equal(4 + 3 + 3, shared.DetectorCount);
    }

    /// <summary>
    /// Feeds one store's orders minute by minute to a monitor that shares identical streams' detectors and one that never
    /// does, and to a monitor rebuilt part-way (which shares too); every closed minute must be equal reading by reading.
    /// </summary>
    private static (MinuteMonitor Shared, MinuteMonitor Own) RunSideBySide(DateTimeOffset end, params SyntheticShop[] shops)
    {
        var state = new KpiState(TestEvents.Store);
        var shared = new MinuteMonitor(TestEvents.Store);
        var own = new MinuteMonitor(TestEvents.Store) { ShareIdenticalStreams = false };
        MinuteMonitor? rebuilt = null;
        var compared = 0;
        for (var minute = Start; minute < end; minute = minute.AddMinutes(1))
        {
            foreach (var order in shops.SelectMany(s => s.OrdersIn(minute)))
            {
                state.Apply(order);
            }

            var now = minute.AddMinutes(1).AddSeconds(1);
            var a = shared.Close(state, now, "UTC", "GBP");
            var b = own.Close(state, now, "UTC", "GBP");
            Assert.Equal(b.Count, a.Count);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.Equal(b[i].Readings, a[i].Readings);
                Assert.Equal(b[i].Channels ?? [], a[i].Channels ?? []);
                compared++;
            }

            if (minute == end.AddDays(-1))
            {
                rebuilt = MinuteMonitor.Rebuild(MinuteMonitor.Capture(state, now), now, "UTC", "GBP");
                Assert.Equal(b[^1].Readings, rebuilt.Since(null)[^1].Readings);
                continue;
            }

            if (rebuilt is not null)
            {
                var c = rebuilt.Close(state, now, "UTC", "GBP");
                Assert.Equal(b.Select(m => m.Readings), c.Select(m => m.Readings));
            }
        }

        Assert.True(compared > 1440, $"only {compared} minutes compared");
        Assert.True(shared.Since(null).SelectMany(m => m.Readings).Any(r => r.Channel is not null), "no channel stream judged");
        return (shared, own);
    }
}
