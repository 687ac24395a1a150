using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Alerts;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// Issue 15 pt 7: a monitor keeps its last minutes as columns (<see cref="KeptMinuteRing"/>) instead of records. What a
/// watcher reads back must be, field by field and to the bit, the minutes the monitor closed: the old monitor kept those
/// very records, so the records <see cref="MinuteMonitor.Close(KpiState, DateTimeOffset, string, string)"/> returned are
/// the oracle. The one exception is by design: only the newest minute keeps its verdicts' score and likelihood, and an
/// older one says it has none (null) rather than read back some other figure.
/// </summary>
public sealed class KeptMinuteRingTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Kept_minutes_read_back_as_closed_through_a_second_channel_a_slump_a_clock_change_and_a_new_currency()
    {
        // London moves its clocks on 29 March 2026; Amazon starts selling on day 3; Shopify's checkout fails for two hours
        // on day 6 (the drop test marks it); the store's currency changes for the last hours.
        var end = Start.AddDays(6).AddHours(20);
        var slump = Start.AddDays(6).AddHours(13);
        var storefront = new SyntheticShop(41, busiestOrdersPerMinute: 1.5)
        {
            Channel = SalesChannel.Shopify, Drop = at => at >= slump && at < slump.AddHours(2) ? 0.05 : 1.0,
        };
        var amazon = new SyntheticShop(42, busiestOrdersPerMinute: 0.3) { Channel = SalesChannel.Amazon, Drop = at => at < Start.AddDays(3) ? 0 : 1.0 };
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var closed = new List<ClosedMinute>();
        var checks = 0;
        for (var minute = Start; minute < end; minute = minute.AddMinutes(1))
        {
            foreach (var order in storefront.OrdersIn(minute).Concat(amazon.OrdersIn(minute)))
            {
                state.Apply(order);
            }

            var currency = minute >= end.AddHours(-2) ? "EUR" : "GBP";
            closed.AddRange(monitor.Close(state, minute.AddMinutes(1).AddSeconds(1), "Europe/London", currency));
            if (closed.Count > MinuteMonitor.KeptMinutes)
            {
                closed.RemoveRange(0, closed.Count - MinuteMonitor.KeptMinutes);
            }

            if (minute.Minute == 7 || minute == end.AddMinutes(-1))
            {
                AssertSameMinutes(closed, monitor.Since(null));
                var after = closed[closed.Count / 3].Minute;
                AssertSameMinutes([.. closed.Where(m => m.Minute > after)], monitor.Since(after.AddSeconds(20)));
                checks++;
            }
        }

        Assert.True(checks > 100, $"only {checks} checks");

        // The run went through what the ring must keep apart: a channel judged on its own, a drop's longer window, an
        // hour on either side of the clock change (checked on the way) and two currencies.
        var everything = monitor.Since(null);
        Assert.Contains(everything, m => m.Readings.Any(r => r.Channel == SalesChannel.Amazon));
        Assert.Contains(everything, m => m.Currency == "EUR");
        Assert.Contains(everything, m => m.Currency == "GBP");
        Assert.Equal(MinuteMonitor.KeptMinutes, everything.Count);
    }

    [Fact]
    public void A_drop_marks_the_stores_reading_and_the_shared_channel_keeps_its_own()
    {
        // A store selling through Shopify alone shares its detectors with Shopify's streams; when the drop test marks the
        // store's orders, the channel's reading keeps the detector's verdict, so the two differ for the ring to keep apart.
        // Half the orders lost for an hour (as in MinuteMonitorTests): found by the drop test, not the 15-minute streams.
        var slump = Start.AddDays(4).AddHours(13);
        var shop = new SyntheticShop(8, busiestOrdersPerMinute: 3) { Drop = at => at >= slump && at < slump.AddHours(1) ? 0.5 : 1.0 };
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var closed = new List<ClosedMinute>();
        var marked = 0;
        shop.Run(state, Start, slump.AddHours(2), now =>
        {
            foreach (var minute in monitor.Close(state, now, "UTC", "GBP"))
            {
                closed.Add(minute);
                if (minute.VerdictOf(KpiStream.Orders) is { WindowMinutes: > MinuteMonitor.WindowMinutes })
                {
                    marked++;
                }
            }

            if (closed.Count > MinuteMonitor.KeptMinutes)
            {
                closed.RemoveRange(0, closed.Count - MinuteMonitor.KeptMinutes);
            }
        });

        Assert.True(marked > 0, "the drop test marked no minute");
        Assert.Contains(closed, m => m.VerdictOf(KpiStream.Orders) != m.VerdictOf(KpiStream.Orders, SalesChannel.Shopify));
        AssertSameMinutes(closed, monitor.Since(null));
    }

    [Fact]
    public void A_monitor_that_replays_after_a_long_gap_keeps_what_a_fresh_rebuild_keeps()
    {
        var shop = new SyntheticShop(44, busiestOrdersPerMinute: 0.5);
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var end = Start.AddDays(5);
        shop.Run(state, Start, end, now => monitor.Close(state, now, "UTC", "GBP"));

        // The clock jumps past what the monitor remembers (its warm-up): it clears what it kept and replays, as a new
        // monitor does.
        var later = end + MinuteMonitor.WarmUp + TimeSpan.FromHours(12);
        shop.Run(state, end, later);
        var newest = monitor.Close(state, later.AddSeconds(1), "UTC", "GBP");
        var rebuilt = MinuteMonitor.Rebuild(MinuteMonitor.Capture(state, later.AddSeconds(1)), later.AddSeconds(1), "UTC", "GBP");
        AssertSameMinutes(rebuilt.Since(null), monitor.Since(null));
        AssertSameMinutes(newest, [monitor.Since(null)[^1]]);
        Assert.Equal(MinuteMonitor.KeptMinutes, monitor.Since(null).Count);
    }

    [Fact]
    public void Random_verdicts_with_values_coming_and_going_read_back_to_the_bit()
    {
        var random = new Random(45);
        var ring = new KeptMinuteRing(TestEvents.Store, MinuteMonitor.KeptMinutes);
        var kept = new List<ClosedMinute>();

        // Few values for the bands, a changing set of many for the scores (so palette entries are freed and reused),
        // -0 beside 0, and a channel now and then that judged on its own.
        double[] few = [0, -0.0, 1, 2.5, 15, 30, double.MaxValue];
        var first = MinuteMonitor.ToMinute(Start);
        for (var i = 0; i < 2_000; i++)
        {
            var at = MinuteMonitor.FromMinute(first + i);
            AnomalyVerdict Verdict() => new(random.Next(10) == 0, few[random.Next(few.Length)], few[random.Next(few.Length)],
                random.Next(2) == 0 ? -0.0 : 0, random.Next(100_000) + (i / 7), random.NextDouble() * (i % 300), (AnomalySeverity)random.Next(4),
                random.NextDouble(), random.Next(2) == 0 ? MinuteMonitor.WindowMinutes : 60);
            var readings = Enum.GetValues<KpiStream>().Select(s => new StreamReading(s, Verdict())).ToList();
            SalesChannel[] channels = i % 50 < 20 ? [] : i % 50 < 40 ? [SalesChannel.Shopify] : [SalesChannel.Amazon, SalesChannel.Shopify];
            foreach (var channel in channels)
            {
                foreach (var stream in MinuteMonitor.ChannelStreams)
                {
                    var store = readings.First(r => r.Stream == stream).Verdict;
                    var own = random.Next(3) switch
                    {
                        0 => Verdict(),
                        1 => store with { Value = store.Value == 0 ? -0.0 : store.Value }, // equal as a record, not by bits
                        _ => store,
                    };
                    readings.Add(new StreamReading(stream, own, channel));
                }
            }

            var figures = random.Next(4) switch
            {
                0 => new MinuteFigures(random.Next(1000) / 100m, random.Next(5), random.Next(5)),
                1 => new MinuteFigures(0.00m, 0, 0), // zero, but not the shared zero's bits
                2 => new MinuteFigures(0m, 0, 0),
                _ => MinuteFigures.Zero,
            };
            var minute = new ClosedMinute(TestEvents.Store, at, DateTime.SpecifyKind(at.UtcDateTime.AddHours(i / 1000).AddMinutes(-(i % 3) * 30), DateTimeKind.Unspecified),
                i < 1_500 ? "UTC" : "Europe/London", i % 700 < 600 ? "GBP" : "EUR", figures, MinuteFigures.Zero, figures, i < 5 ? null : i % 40,
                readings, [.. channels.Select(c => new ChannelMinute(c, figures, MinuteFigures.Zero, figures, i % 17))]);
            ring.Add(minute);
            kept.Add(minute);
            if (kept.Count > MinuteMonitor.KeptMinutes)
            {
                kept.RemoveAt(0);
            }

            if (i % 97 == 0 || i == 1_999)
            {
                AssertSameMinutes(kept, ring.Since(null));
            }
        }

        var gap = MinuteMonitor.FromMinute(first + 2_001);
        Assert.Throws<InvalidOperationException>(() => ring.Add(kept[^1] with { Minute = gap }));
    }

    [Fact]
    public void Bands_drawn_around_the_expected_value_read_back_to_the_bit_whether_or_not_the_width_gives_the_edges_back()
    {
        // The ring keeps a band as its width above the expected value and finds the lower edge from it. The bands here are
        // drawn as the detectors draw them (expected ± half band, clipped at zero or not), as a drop draws its own (upper
        // from the lower), warming up (a band of no width), and at random, with money, counts, -0, infinities and NaN, so
        // that every way of finding an edge (and of not finding it) is read back against the verdict closed.
        var random = new Random(71);
        var ring = new KeptMinuteRing(TestEvents.Store, MinuteMonitor.KeptMinutes);
        var kept = new List<ClosedMinute>();
        double[] specials = [0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, 1e300];
        double Figure() => random.Next(6) switch
        {
            0 => random.Next(5),
            1 => random.Next(100_000) / 100.0,
            2 => -random.Next(100_000) / 100.0,
            3 => random.NextDouble() * Math.Pow(10, random.Next(-6, 12)),
            4 => specials[random.Next(specials.Length)],
            _ => 1.4826 * random.Next(1, 9) / 2,
        };

        AnomalyVerdict Verdict()
        {
            var expected = Figure();
            var half = random.Next(3) == 0 ? 4 * 1.4826 * random.Next(4) / 2 : Math.Abs(Figure());
            var (lower, upper) = random.Next(6) switch
            {
                0 => (Math.Max(0, expected - half), expected + half),
                1 => (expected - half, expected + half),
                2 => (expected, expected),
                3 => (expected - half, expected + (expected - (expected - half))),
                4 => (Math.Max(0, expected - half), Math.Min(0, expected + half)),
                _ => (Figure(), Figure()),
            };
            return new AnomalyVerdict(random.Next(10) == 0, Figure(), expected, lower, upper, random.NextDouble(), (AnomalySeverity)random.Next(4),
                random.NextDouble(), MinuteMonitor.WindowMinutes);
        }

        var first = MinuteMonitor.ToMinute(Start);
        for (var i = 0; i < 1_500; i++)
        {
            var at = MinuteMonitor.FromMinute(first + i);
            var readings = Enum.GetValues<KpiStream>().Select(s => new StreamReading(s, Verdict())).ToList();
            foreach (var stream in MinuteMonitor.ChannelStreams)
            {
                readings.Add(new StreamReading(stream, random.Next(2) == 0 ? Verdict() : readings.First(r => r.Stream == stream).Verdict, SalesChannel.Shopify));
            }

            var minute = new ClosedMinute(TestEvents.Store, at, DateTime.SpecifyKind(at.UtcDateTime, DateTimeKind.Unspecified), "UTC", "GBP",
                MinuteFigures.Zero, MinuteFigures.Zero, MinuteFigures.Zero, null, readings, [new ChannelMinute(SalesChannel.Shopify, MinuteFigures.Zero, MinuteFigures.Zero, MinuteFigures.Zero, 3)]);
            ring.Add(minute);
            kept.Add(minute);
            if (kept.Count > MinuteMonitor.KeptMinutes)
            {
                kept.RemoveAt(0);
            }

            if (i % 61 == 0 || i == 1_499)
            {
                AssertSameMinutes(kept, ring.Since(null));
            }
        }
    }

    /// <summary>
    /// Every field equal, every double equal to the bit, readings and channels in the same order; the verdicts' score and
    /// likelihood too on the newest minute, and none on the older ones.
    /// </summary>
    private static void AssertSameMinutes(IReadOnlyList<ClosedMinute> expected, IReadOnlyList<ClosedMinute> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.Store, a.Store);
            Assert.Equal(e.Minute, a.Minute);
            Assert.Equal(e.Minute.Offset, a.Minute.Offset);
            Assert.Equal(e.LocalMinute, a.LocalMinute);
            Assert.Equal(e.LocalMinute.Kind, a.LocalMinute.Kind);
            Assert.Equal((e.TimeZone, e.Currency), (a.TimeZone, a.Currency));
            Assert.Equal((e.Figures, e.Yesterday, e.LastWeek, e.MinutesSinceLastOrder), (a.Figures, a.Yesterday, a.LastWeek, a.MinutesSinceLastOrder));
            Assert.Equal(e.Readings.Count, a.Readings.Count);
            for (var r = 0; r < e.Readings.Count; r++)
            {
                Assert.Equal((e.Readings[r].Stream, e.Readings[r].Channel), (a.Readings[r].Stream, a.Readings[r].Channel));
                AssertSameVerdict(e.Readings[r].Verdict, a.Readings[r].Verdict, newest: i == expected.Count - 1);
            }

            Assert.Equal(e.Channels ?? [], a.Channels ?? []);
            MinuteFigures[] expectedFigures = [e.Figures, e.Yesterday, e.LastWeek, .. (e.Channels ?? []).SelectMany(c => new[] { c.Figures, c.Yesterday, c.LastWeek })];
            MinuteFigures[] actualFigures = [a.Figures, a.Yesterday, a.LastWeek, .. (a.Channels ?? []).SelectMany(c => new[] { c.Figures, c.Yesterday, c.LastWeek })];
            Assert.Equal(expectedFigures.Select(f => string.Join(',', decimal.GetBits(f.Revenue))), actualFigures.Select(f => string.Join(',', decimal.GetBits(f.Revenue))));
        }
    }

    private static void AssertSameVerdict(AnomalyVerdict e, AnomalyVerdict a, bool newest)
    {
        Assert.Equal((e.IsAnomaly, e.Severity, e.WindowMinutes), (a.IsAnomaly, a.Severity, a.WindowMinutes));
        double[] expected = [e.Value, e.Expected, e.Lower, e.Upper];
        double[] actual = [a.Value, a.Expected, a.Lower, a.Upper];
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        if (newest)
        {
            Assert.NotNull(a.Score);
            Assert.NotNull(a.Likelihood);
            Assert.Equal((Bits(e.Score), Bits(e.Likelihood)), (Bits(a.Score), Bits(a.Likelihood)));
        }
        else
        {
            Assert.Null(a.Score);
            Assert.Null(a.Likelihood);
        }

        static long? Bits(double? value) => value is { } v ? BitConverter.DoubleToInt64Bits(v) : null;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void A_paletted_column_reads_back_every_value_by_its_bits_with_few_or_mostly_distinct_values(int distinct)
    {
        // Few values stay paletted; past what a palette saves the column keeps the bits (a band's edge, a score): either
        // way each slot reads back the value last set, -0 and 0.00 included, through rewrites and clears.
        var random = new Random(distinct);
        var column = new PalettedColumn(180);
        var oracle = new double?[180];
        double[] specials = [-0.0, 0.0, 1e-300, double.MaxValue];
        for (var write = 0; write < 20_000; write++)
        {
            if (write == 12_000)
            {
                column.Clear();
                Array.Fill(oracle, null);
            }

            var slot = random.Next(180);
            var value = random.Next(10) == 0 ? specials[random.Next(specials.Length)] : random.Next(distinct) / 7.0;
            column.Set(slot, value);
            oracle[slot] = value;
            var check = random.Next(180);
            if (oracle[check] is { } expected)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(column[check]));
            }
            else
            {
                Assert.Throws<InvalidOperationException>(() => column[check]);
            }
        }
    }

    [Fact]
    public void A_paletted_column_that_went_plain_or_grew_its_palette_fits_it_again_once_the_values_held_are_few()
    {
        // A monitor's replay writes days of distinct bands through the ring before the quiet hours it keeps: the columns
        // must not stay plain (or their palettes at 128 entries) for good. Phases of all-distinct values, a few values,
        // about 100 and a few again; every read against an oracle, and the layout after each phase.
        var random = new Random(5);
        var column = new PalettedColumn(180);
        var oracle = new double[180];
        var set = new bool[180];
        var next = 0.5;
        void Write(int writes, Func<double> value)
        {
            for (var w = 0; w < writes; w++)
            {
                var slot = w % 180;
                oracle[slot] = value();
                set[slot] = true;
                column.Set(slot, oracle[slot]);
                var check = random.Next(180);
                if (set[check])
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(oracle[check]), BitConverter.DoubleToInt64Bits(column[check]));
                }
            }
        }

        double[] few = [0, -0.0, 4];
        Write(400, () => next += 1.25);
        Assert.True(column.IsPlain);
        Write(400, () => few[random.Next(few.Length)]);
        Assert.False(column.IsPlain);
        Assert.Equal(4, column.PaletteSize);
        Write(400, () => random.Next(100));
        Assert.False(column.IsPlain);
        Assert.Equal(128, column.PaletteSize);
        Write(400, () => few[random.Next(few.Length)]);
        Assert.Equal(4, column.PaletteSize);
        var clone = column.Clone();
        Write(400, () => next += 1.25);
        Assert.True(column.IsPlain);
        Assert.False(clone.IsPlain);
        for (var slot = 0; slot < 180; slot++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(oracle[slot]), BitConverter.DoubleToInt64Bits(column[slot]));
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void A_reference_column_reads_back_the_very_object_set_with_few_or_mostly_distinct_objects(int distinct)
    {
        // Few objects stay paletted; past what a palette saves the column keeps the references: either way each slot reads
        // back the object last set (not an equal one), or null where none is set, through rewrites, unsets and clears.
        var random = new Random(distinct);
        var objects = new Dictionary<int, MinuteFigures>();
        var column = new ReferenceColumn<MinuteFigures>(180);
        var oracle = new MinuteFigures?[180];
        for (var write = 0; write < 20_000; write++)
        {
            if (write == 12_000)
            {
                column.Clear();
                Array.Fill(oracle, null);
            }

            var slot = random.Next(180);
            var key = random.Next(distinct);

            // Equal figures as different objects, so a column that matched by equality would read back the wrong one.
            var value = random.Next(20) == 0 ? null : random.Next(10) == 0 ? new MinuteFigures(0m, 0, 0)
                : objects.TryGetValue(key, out var held) ? held : objects[key] = new MinuteFigures(0m, 0, 0);
            column[slot] = value;
            oracle[slot] = value;
            var check = random.Next(180);
            Assert.Same(oracle[check], column[check]);
        }
    }
}
