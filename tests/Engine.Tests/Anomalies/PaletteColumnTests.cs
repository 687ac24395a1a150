using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// Issue 15 pt 7: the kept minutes' doubles (<see cref="PalettedColumn"/>) and objects (<see cref="ReferenceColumn{T}"/>)
/// share one palette (<see cref="PaletteColumn{T, TMatch}"/>). Each slot must read back what was last set (the same bits,
/// the very object), while the palette grows, fills, goes plain and fits again once a lap finds the values held few.
/// </summary>
public sealed class PaletteColumnTests
{
    private const int Slots = 180;

    [Fact]
    public void A_reference_column_that_went_plain_or_filled_its_palette_fits_it_again_and_reads_back_the_very_objects()
    {
        // A busy hour's figures are all distinct objects; the quiet hours after hold the shared zero and a few more. The
        // column must leave plain (or a palette of 128) once the slots hold few objects again, and each slot read back the
        // very object set (not an equal one), or null where it was unset, through every phase.
        var random = new Random(11);
        var column = new ReferenceColumn<MinuteFigures>(Slots);
        var oracle = new MinuteFigures?[Slots];
        MinuteFigures[] few = [MinuteFigures.Zero, new(0m, 0, 0), new(12.5m, 1, 3)];
        var hundred = Enumerable.Range(0, 100).Select(_ => new MinuteFigures(0m, 0, 0)).ToArray();
        void Write(int writes, Func<MinuteFigures?> value)
        {
            for (var w = 0; w < writes; w++)
            {
                var slot = w % Slots;
                oracle[slot] = value();
                column[slot] = oracle[slot];
                var check = random.Next(Slots);
                Assert.Same(oracle[check], column[check]);
            }
        }

        Write(400, () => new MinuteFigures(0m, 0, 0));
        Assert.True(column.IsPlain);
        Write(400, () => random.Next(8) == 0 ? null : few[random.Next(few.Length)]);
        Assert.False(column.IsPlain);
        Assert.Equal(4, column.PaletteSize);
        Write(400, () => hundred[random.Next(hundred.Length)]);
        Assert.False(column.IsPlain);
        Assert.Equal(128, column.PaletteSize);
        Write(400, () => few[random.Next(few.Length)]);
        Assert.Equal(4, column.PaletteSize);
        Write(400, () => null);
        Assert.Equal(2, column.PaletteSize);
        for (var slot = 0; slot < Slots; slot++)
        {
            Assert.Null(column[slot]);
        }

        Write(Slots, () => few[random.Next(few.Length)]);
        for (var slot = 0; slot < Slots; slot++)
        {
            Assert.Same(oracle[slot], column[slot]);
        }
    }

    [Fact]
    public void A_palette_that_filled_frees_reuses_and_refits_its_entries_and_reads_back_every_value_by_its_bits()
    {
        // 128 entries filled by values that come and go (each rewrite frees an entry the next new value takes), then a
        // value past 128 sends the column plain; a lap of a few values brings it back, and its clone reads the same.
        // -0, 0, a NaN with a payload and the infinities are distinct values by their bits.
        var column = new PalettedColumn(Slots);
        var oracle = new double[Slots];
        var set = new bool[Slots];
        var random = new Random(3);
        double[] specials = [-0.0, 0.0, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0ABC), double.PositiveInfinity, double.NegativeInfinity];
        void Write(int slot, double value)
        {
            column.Set(slot, value);
            oracle[slot] = value;
            set[slot] = true;
            var check = random.Next(Slots);
            if (set[check])
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(oracle[check]), BitConverter.DoubleToInt64Bits(column[check]));
            }
        }

        // 120 distinct values, then 60 writes that replace one of them each: the palette holds 128 entries, some freed.
        for (var slot = 0; slot < 120; slot++)
        {
            Write(slot, slot);
        }

        for (var w = 0; w < 59; w++)
        {
            Write(random.Next(120), 1000 + w);
        }

        Assert.False(column.IsPlain);
        Assert.Equal(128, column.PaletteSize);

        // The lap's refit (at the 180th write) shrinks nothing (more than 64 values are held); 60 more distinct values
        // fill the slots no value was set in yet and overflow the palette.
        for (var slot = 120; slot < Slots; slot++)
        {
            Write(slot, 5000 + slot);
        }

        Assert.True(column.IsPlain);

        // The refit in the first lap of specials still finds 65 values (too many to go back); the one in the second finds
        // the 5 specials alone: the palette comes back with 8 entries.
        for (var slot = 0; slot < Slots; slot++)
        {
            Write(slot, specials[slot % specials.Length]);
        }

        for (var slot = 0; slot < Slots; slot++)
        {
            Write(slot, specials[(slot + 1) % specials.Length]);
        }

        Assert.False(column.IsPlain);
        Assert.Equal(8, column.PaletteSize);
        var clone = column.Clone();
        for (var slot = 0; slot < Slots; slot++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(oracle[slot]), BitConverter.DoubleToInt64Bits(column[slot]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(oracle[slot]), BitConverter.DoubleToInt64Bits(clone[slot]));
        }
    }
}
