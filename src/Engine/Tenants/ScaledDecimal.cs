namespace SalesDash.Engine.Tenants;

/// <summary>
/// A <see cref="decimal"/> as its own signed integer and scale, the form the order gate and the minute columns hold
/// money in: it reads back as the very <see cref="decimal"/> it came from, scale included (10.50 stays 10.50).
/// </summary>
internal static class ScaledDecimal
{
    /// <summary>The value's integer and scale, when the integer fits 63 bits and the sign survives (not -0).</summary>
    public static bool TrySplit(decimal value, out long units, out byte scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var negative = bits[3] < 0;
        var magnitude = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        scale = (byte)((bits[3] >> 16) & 0xFF);
        if (bits[2] != 0 || magnitude > long.MaxValue || (negative && magnitude == 0))
        {
            units = 0;
            return false;
        }

        units = negative ? -(long)magnitude : (long)magnitude;
        return true;
    }

    /// <summary>The <see cref="decimal"/> whose integer is <paramref name="units"/> and scale <paramref name="scale"/>.</summary>
    public static decimal Join(long units, byte scale)
    {
        var magnitude = units < 0 ? (ulong)-units : (ulong)units;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, units < 0, scale);
    }
}
