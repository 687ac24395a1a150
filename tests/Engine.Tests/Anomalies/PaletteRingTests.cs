using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// Issue 15 pt 7: the seasonal ring held as runs, then codes, then floats, reads back exactly what a plain float array
/// would. The array is the oracle; every slot is compared by its bits (any NaN as NaN) while the ring is written as a
/// store, a busy stream and at random, with overwrites, wrap-around and clones.
/// </summary>
public sealed class PaletteRingTests
{
    // Three days of minutes and a radius of one, as the monitor's rings.
    private const int StoreRing = (3 * 1440) + 2;

    [Fact]
    public void A_quiet_store_s_ring_stays_runs_over_many_laps_and_reads_back_every_slot()
    {
        var random = new Random(11);
        var ring = new PaletteRing(StoreRing);
        var oracle = NewOracle(StoreRing);
        PaletteRing? clone = null;
        float[]? cloneOracle = null;
        var slot = 0;
        var held = float.NaN;
        var heldFor = 0;
        for (var i = 0; i < 5 * StoreRing; i++, slot = (slot + 1) % StoreRing)
        {
            // ~20 orders a day, each sum held for a quarter hour; a gap now and then, and a rewrite of a recent slot.
            if (heldFor-- <= 0)
            {
                held = random.Next(72) == 0 ? random.Next(40) * 7.25f : 0f;
                heldFor = held == 0 ? 0 : 15;
            }

            var value = random.Next(2_000) == 0 ? float.NaN : held;
            Write(ring, oracle, slot, value);
            if (clone is not null)
            {
                Write(clone, cloneOracle!, slot, value);
            }
            if (random.Next(50) == 0)
            {
                var back = (slot - random.Next(0, 30) + StoreRing) % StoreRing;
                Write(ring, oracle, back, random.Next(40) * 7.25f);
            }

            if (i == (2 * StoreRing) + 777)
            {
                clone = ring.Clone();
                cloneOracle = (float[])oracle.Clone();
            }

            if (i % 61 == 0)
            {
                AssertSame(oracle, ring);
            }

            Assert.True(ring.IsRuns);
        }

        AssertSame(oracle, ring);
        AssertSame(cloneOracle!, clone!);
        Assert.True(clone!.IsRuns);
    }

    [Theory]
    [InlineData(1, 6, true)] // few values, but a change every slot or two: runs stop paying, codes do
    [InlineData(2, 250, true)] // near the palette's limit when the runs stop paying
    [InlineData(3, 100_000, false)] // all distinct: through codes to floats
    public void A_busy_ring_moves_to_codes_or_floats_and_loses_no_slot(int seed, int distinct, bool paletted)
    {
        var random = new Random(seed);
        var ring = new PaletteRing(StoreRing);
        var oracle = NewOracle(StoreRing);
        var slot = 0;
        var wasRuns = 0;
        for (var i = 0; i < 3 * StoreRing; i++, slot = (slot + 1) % StoreRing)
        {
            var value = (random.Next(distinct) * 1.25f) - (distinct / 3f);
            Write(ring, oracle, slot, value);
            if (ring.IsRuns)
            {
                wasRuns = i;
            }

            if (i % 97 == 0 || i == wasRuns + 1)
            {
                AssertSame(oracle, ring);
            }
        }

        AssertSame(oracle, ring);
        Assert.False(ring.IsRuns);
        Assert.Equal(paletted, ring.IsPaletted);

        // It moved once the runs would have cost more than a byte a slot.
        Assert.InRange(wasRuns, StoreRing / 8, StoreRing / 3);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(5, 40)]
    [InlineData(6, 1_000)]
    public void Writes_anywhere_with_special_values_read_back_bit_for_bit(int seed, int distinct)
    {
        var random = new Random(seed);
        float[] specials = [-0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001)), float.Epsilon];
        var ring = new PaletteRing(600);
        var oracle = NewOracle(600);
        PaletteRing? clone = null;
        float[]? cloneOracle = null;
        for (var i = 0; i < 4_000; i++)
        {
            // Runs of a random length written at a random place, over and next to what is there, including both ends.
            var value = random.Next(10) == 0 ? specials[random.Next(specials.Length)] : random.Next(distinct) * 0.5f;
            var start = random.Next(4) == 0 ? (random.Next(2) == 0 ? 0 : 599) : random.Next(600);
            var length = Math.Min(600 - start, random.Next(1, 8));
            for (var s = start; s < start + length; s++)
            {
                Write(ring, oracle, s, value);
                if (clone is not null)
                {
                    Write(clone, cloneOracle!, (s + 300) % 600, value);
                }
            }

            if (i == 1_000)
            {
                clone = ring.Clone();
                cloneOracle = (float[])oracle.Clone();
            }

            if (i % 13 == 0)
            {
                AssertSame(oracle, ring);
                AssertSame(cloneOracle ?? oracle, clone ?? ring);
            }
        }

        AssertSame(oracle, ring);
        AssertSame(cloneOracle!, clone!);
    }

    [Fact]
    public void A_slot_outside_the_ring_is_refused_as_the_array_would()
    {
        var ring = new PaletteRing(StoreRing);
        Assert.True(ring.IsRuns);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring[StoreRing]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring[-1] = 1f);
        Assert.True(float.IsNaN(ring[StoreRing - 1]));
    }

    private static float[] NewOracle(int length)
    {
        var oracle = new float[length];
        Array.Fill(oracle, float.NaN);
        return oracle;
    }

    private static void Write(PaletteRing ring, float[] oracle, int slot, float value)
    {
        ring[slot] = value;
        oracle[slot] = value;
        AssertSlot(oracle, ring, slot);
        AssertSlot(oracle, ring, (slot + 1) % oracle.Length);
        AssertSlot(oracle, ring, (slot + oracle.Length - 1) % oracle.Length);
    }

    private static void AssertSame(float[] oracle, PaletteRing ring)
    {
        Assert.Equal(oracle.Length, ring.Length);
        for (var i = 0; i < oracle.Length; i++)
        {
            AssertSlot(oracle, ring, i);
        }
    }

    private static void AssertSlot(float[] oracle, PaletteRing ring, int slot)
    {
        var expected = oracle[slot];
        var actual = ring[slot];
        if (float.IsNaN(expected))
        {
            Assert.True(float.IsNaN(actual), $"slot {slot}: {actual}, expected NaN");
        }
        else
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"slot {slot}: {actual}, expected {expected}");
        }
    }
}
