using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class CompactIdMapTests
{
    // Every id shares one hash, so every lookup depends on the exact comparison behind it.
    private static CompactIdMap<int> Colliding() => new(_ => 42);

    [Fact]
    public void Ids_sharing_a_hash_stay_distinct()
    {
        var map = Colliding();
        map.Set("order-1", 100, 1);
        map.Set("order-2", 100, 2);

        Assert.True(map.TryGet("order-1", out _, out var first));
        Assert.True(map.TryGet("order-2", out _, out var second));
        Assert.Equal((1, 2), (first, second));
        Assert.False(map.Contains("order-3"));
        Assert.Equal(2, map.Count);

        Assert.True(map.Remove("order-1"));
        Assert.False(map.Contains("order-1"));
        Assert.True(map.Contains("order-2"));
    }

    [Fact]
    public void Expiry_is_exact_to_the_minute_inside_an_hour()
    {
        var map = new CompactIdMap<int>();
        map.Set("a", 119, 0); // hour 1, minute 59
        map.Set("b", 120, 0); // hour 2, minute 0
        map.Set("c", 125, 0);

        map.ExpireBefore(121);

        Assert.False(map.Contains("a"));
        Assert.False(map.Contains("b"));
        Assert.True(map.Contains("c"));
        Assert.Equal(["c"], map.Entries().Select(e => e.Id));
    }

    [Fact]
    public void An_id_moved_to_another_hour_survives_the_expiry_of_the_old_one()
    {
        var map = Colliding();
        map.Set("order-1", 10, 1);
        map.Set("order-1", 500, 2);

        map.ExpireBefore(400);

        Assert.True(map.TryGet("order-1", out var minute, out var value));
        Assert.Equal((500L, 2), (minute, value));
        Assert.Equal([("order-1", 500L, 2)], map.Entries());
    }

    [Fact]
    public void Ids_beyond_ascii_and_long_ids_compare_exactly()
    {
        var map = Colliding();
        var longId = new string('x', 1000);
        map.Set("commande-é", 1, 1);
        map.Set("commande-e", 1, 2);
        map.Set(longId, 1, 3);

        Assert.True(map.TryGet("commande-é", out _, out var accented));
        Assert.True(map.TryGet(longId, out _, out var longValue));
        Assert.False(map.Contains(longId + "y"));
        Assert.Equal((1, 3), (accented, longValue));
        Assert.Equal(3, map.Entries().Count());
    }

    [Theory]
    [InlineData(1)] // everything collides
    [InlineData(8)] // long probe runs across the table, wrapping round
    [InlineData(0)] // the real hash
    public void Random_operations_agree_with_a_dictionary(int hashBuckets)
    {
        var map = hashBuckets == 0 ? new CompactIdMap<int>() : new CompactIdMap<int>(id => (ulong)id.Sum(c => c) % (ulong)hashBuckets);
        var reference = new Dictionary<string, (long Minute, int Value)>(StringComparer.Ordinal);
        var random = new Random(hashBuckets + 17);
        long horizon = 0;
        for (var step = 0; step < 4_000; step++)
        {
            var id = $"id-{random.Next(600)}";
            switch (random.Next(10))
            {
                case < 6:
                    var minute = horizon + random.Next(300);
                    map.Set(id, minute, step);
                    reference[id] = (minute, step);
                    break;
                case < 8:
                    Assert.Equal(reference.Remove(id), map.Remove(id));
                    break;
                default:
                    horizon += random.Next(40);
                    map.ExpireBefore(horizon);
                    foreach (var expired in reference.Where(kv => kv.Value.Minute < horizon).Select(kv => kv.Key).ToArray())
                    {
                        reference.Remove(expired);
                    }

                    break;
            }

            Assert.Equal(reference.ContainsKey(id), map.TryGet(id, out var heldMinute, out var heldValue));
            if (reference.TryGetValue(id, out var expected))
            {
                Assert.Equal(expected, (heldMinute, heldValue));
            }
        }

        Assert.Equal(reference.Count, map.Count);
        Assert.Equal(
            reference.Select(kv => (kv.Key, kv.Value.Minute, kv.Value.Value)).Order(),
            map.Entries().Order());
    }

    [Fact]
    public void Thousands_of_ids_spread_over_many_chunks_agree_with_a_dictionary_and_are_found_by_minute()
    {
        // Up to 5,000 ids live at once, about 2,000 at the end: the per-entry columns span several 1,024-entry chunks, and
        // entries freed by removal and expiry are reused.
        var map = new CompactIdMap<int>();
        var reference = new Dictionary<string, (long Minute, int Value)>(StringComparer.Ordinal);
        var random = new Random(5);
        long horizon = 0;
        for (var step = 0; step < 30_000; step++)
        {
            var id = $"order-{random.Next(5_000)}";
            if (random.Next(20) == 0)
            {
                Assert.Equal(reference.Remove(id), map.Remove(id));
            }
            else if (random.Next(200) == 0)
            {
                horizon += random.Next(200);
                map.ExpireBefore(horizon);
                foreach (var expired in reference.Where(kv => kv.Value.Minute < horizon).Select(kv => kv.Key).ToArray())
                {
                    reference.Remove(expired);
                }
            }
            else
            {
                var minute = horizon + random.Next(3_000);
                map.Set(id, minute, step);
                reference[id] = (minute, step);
            }
        }

        Assert.True(reference.Count > 1_024, $"only {reference.Count} ids held: not more than one chunk");
        Assert.Equal(reference.Count, map.Count);
        Assert.Equal(reference.Select(kv => (kv.Key, kv.Value.Minute, kv.Value.Value)).Order(), map.Entries().Order());
        foreach (var (from, to) in new[] { (horizon, horizon + 100), (horizon + 359, horizon + 361), (horizon + 500, horizon + 2_000), (long.MinValue, long.MaxValue) })
        {
            Assert.Equal(
                reference.Values.Where(v => v.Minute >= from && v.Minute <= to).Order(),
                map.ValuesBetween(from, to).Order());
        }
    }
}

public sealed class IdBytesTests
{
    [Theory]
    [InlineData("")]
    [InlineData("o1")]
    [InlineData("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")]
    [InlineData("B54557E4-BDD9-4B37-8A5F-BF7D70BCD043")]
    [InlineData("5000000012345")]
    [InlineData("0000")]
    [InlineData("0001")]
    [InlineData("abc")]
    [InlineData("ga4:123456789:2026120510:google:17")]
    [InlineData("évènement-ébène-1234")]
    [InlineData("woo:order:42:1733490000000")]
    public void An_id_reads_back_exactly(string id)
    {
        var form = Encode(id);
        Assert.Equal(id, IdBytes.Decode(form));
    }

    [Fact]
    public void Shopify_shaped_ids_take_fewer_bytes()
    {
        Assert.Equal(25, Encode("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043").Length);
        Assert.Equal(8, Encode("5000000012345").Length);
    }

    [Fact]
    public void Different_ids_never_share_a_form()
    {
        // Alphabets chosen to hit the edges: hex and non-hex ASCII, runs across the 126-digit split, and non-ASCII.
        var random = new Random(7);
        const string alphabet = "0123456789abcdefABCXYZ-:_ é";
        var forms = new Dictionary<string, string>();
        for (var i = 0; i < 50_000; i++)
        {
            var length = random.Next(0, i % 100 == 0 ? 300 : 20);
            var id = new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(random.Next(3) == 0 ? alphabet.Length : 16)]).ToArray());
            var form = Convert.ToHexString(Encode(id));
            Assert.Equal(id, IdBytes.Decode(Convert.FromHexString(form)));
            if (forms.TryGetValue(form, out var other))
            {
                Assert.Equal(other, id);
            }

            forms[form] = id;
        }
    }

    [Fact]
    public void A_map_holding_packed_ids_tells_them_apart_and_gives_them_back()
    {
        var map = new CompactIdMap<int>(_ => 42);
        string[] ids = ["0000", "00000", "000", "abcd", "ABCD", "abcd-", "1234é", "12345"];
        for (var i = 0; i < ids.Length; i++)
        {
            map.Set(ids[i], 60, i);
        }

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(map.TryGet(ids[i], out _, out var value));
            Assert.Equal(i, value);
        }

        Assert.False(map.Contains("0000000"));
        Assert.Equal(ids.Order(StringComparer.Ordinal), map.Entries().Select(e => e.Id).Order(StringComparer.Ordinal));
    }

    private static byte[] Encode(string id)
    {
        var buffer = new byte[IdBytes.MaxLength(id)];
        return buffer[..IdBytes.Encode(id, buffer)];
    }
}
