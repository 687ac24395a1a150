using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class SeenEventIdsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // every id in one slot run: each lookup rests on comparing whole keys
    public void Random_adds_and_expiry_agree_with_a_dictionary_of_ids(bool oneHome)
    {
        var seen = new SeenEventIds(oneHome);
        var oracle = new Dictionary<string, long>(StringComparer.Ordinal);
        var random = new Random(oneHome ? 5 : 6);
        var horizon = 0L;
        seen.ExpireBefore(horizon);
        for (var step = 0; step < (oneHome ? 3_000 : 60_000); step++)
        {
            // Short ids are held exactly, long ones as fingerprints; both kinds share the table.
            var n = random.Next(oneHome ? 800 : 20_000);
            var id = random.Next(3) == 0 ? Uuid(n, 7) : $"s{n}";
            if (random.Next(12) == 0)
            {
                // Mostly a minute on, now and then a jump of hours, so both the step and the sweep are exercised.
                horizon += random.Next(20) == 0 ? random.Next(100, 400) : random.Next(3);
                ExpireBoth(seen, oracle, horizon);
            }
            else
            {
                var minute = horizon + random.Next(-5, 240);
                SetBoth(seen, oracle, id, minute, horizon);
            }

            Assert.Equal(oracle.Count, seen.Count);
        }

        AssertSame(oracle, seen);
        Assert.False(seen.Contains("s-never"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Minutes_further_apart_than_two_bytes_count_agree_with_a_dictionary_of_ids(bool oneHome)
    {
        // Held without expiry first (no horizon: the table's minutes count from its earliest), minutes up to 300,000
        // apart and out of order, then the horizon moved in steps of days: every minute must read back exactly.
        var seen = new SeenEventIds(oneHome);
        var oracle = new Dictionary<string, long>(StringComparer.Ordinal);
        var random = new Random(oneHome ? 7 : 8);
        var horizon = long.MinValue;
        for (var step = 0; step < (oneHome ? 2_000 : 20_000); step++)
        {
            var id = random.Next(3) == 0 ? Uuid(random.Next(5_000), 9) : $"s{random.Next(5_000)}";
            if (step > 1_000 && random.Next(50) == 0)
            {
                horizon = Math.Max(horizon, -150_000) + random.Next(0, 1_500);
                ExpireBoth(seen, oracle, horizon);

                continue;
            }

            var minute = random.Next(-150_000, 150_000);
            SetBoth(seen, oracle, id, minute, horizon);

            Assert.Equal(oracle.Count, seen.Count);
        }

        Assert.True(oracle.Count > 100, $"only {oracle.Count} ids were left to compare");
        AssertSame(oracle, seen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s1")]
    [InlineData("placed-o123")]
    [InlineData("5000000012345")]
    [InlineData("évènement")]
    [InlineData("ga:123456789012345678")]
    public void An_id_whose_packed_form_fits_is_held_exactly(string id)
    {
        var key = SeenEventIds.KeyOf(id);

        Assert.Equal(id, SeenEventIds.Describe(key));
        Assert.True(SeenEventIds.IsExact(key));
    }

    [Fact]
    public void Each_id_asked_about_in_turn_is_judged_by_its_own_key_whatever_was_asked_just_before()
    {
        // The set keeps the last id's key for the next question about the same string; every other id is encoded anew.
        var seen = new SeenEventIds();
        var shortId = "o-1";
        var longId = Uuid(1, 7);
        seen.Set(shortId, 10);
        Assert.True(seen.Contains(shortId));
        Assert.False(seen.Contains(longId));
        Assert.False(seen.TryGetMinute(longId, out _));
        seen.Set(longId, 12);
        Assert.True(seen.Contains(new string(shortId.AsSpan())));
        Assert.True(seen.TryGetMinute(shortId, out var shortMinute));
        Assert.True(seen.TryGetMinute(new string(longId.AsSpan()), out var longMinute));
        Assert.Equal((10L, 12L, 2), (shortMinute, longMinute, seen.Count));
        Assert.False(seen.Contains("o-2"));
        Assert.Throws<ArgumentNullException>(() => seen.Contains(null!));
    }

    [Fact]
    public void A_long_id_is_held_as_a_fingerprint_that_no_exact_key_equals()
    {
        var uuid = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
        var key = SeenEventIds.KeyOf(uuid);

        Assert.Null(SeenEventIds.Describe(key));
        Assert.False(SeenEventIds.IsExact(key));
        Assert.Equal(UInt128.Zero, key >> 127); // the top bit is what marks an exact key
        Assert.NotEqual(key, SeenEventIds.KeyOf("B54557E4-BDD9-4B37-8A5F-BF7D70BCD043"));
        Assert.Equal(key, SeenEventIds.KeyOf(string.Concat(uuid.AsSpan(0, 10), uuid.AsSpan(10))));
    }

    [Fact]
    public void Different_short_ids_never_share_a_key()
    {
        var random = new Random(9);
        const string alphabet = "0123456789abcdefXYZ-:_é";
        var keys = new Dictionary<UInt128, string>();
        for (var i = 0; i < 50_000; i++)
        {
            var id = new string(Enumerable.Range(0, random.Next(0, 16)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var key = SeenEventIds.KeyOf(id);
            if (SeenEventIds.Describe(key) is { } exact)
            {
                Assert.Equal(id, exact);
                Assert.True(!keys.TryGetValue(key, out var other) || other == id, $"{id} and {other} share a key");
                keys[key] = id;
            }
        }

        Assert.True(keys.Count > 30_000, "too few ids were held exactly for the test to mean anything");
    }

    [Fact]
    public void A_store_with_shopify_shaped_ids_refuses_every_retry_after_a_snapshot_round_trip()
    {
        var start = Utc(2026, 6, 1, 0, 0);
        var state = new KpiState(Store);
        var events = new List<CommerceEvent>();
        for (var i = 0; i < 1_500; i++)
        {
            var at = start.AddMinutes(i * 2);
            events.Add(Placed($"{5_000_000_000_000L + i}", at, 20m + i % 50, eventId: Uuid(i, 1)));
            events.Add(Session($"s{i}", at) with { EventId = Uuid(i, 2) });
            events.Add(Session($"t{i}", at) with { EventId = $"ga:{i}" });
        }

        foreach (var e in events)
        {
            state.Apply(e);
        }

        var snapshot = state.ToSnapshot();
        var restored = KpiState.FromSnapshot(Store, snapshot);
        var now = start.AddMinutes(3_000);

        Assert.Equal(5, snapshot.Format);
        Assert.Equal(1_500, snapshot.SeenEvents.Count); // the ga: ids, held exactly
        Assert.Equal(3_000, snapshot.SeenFingerprints!.Count);
        Assert.Equal(state.RememberedEventIdCount, restored.RememberedEventIdCount);
        Assert.All(events, e => Assert.Equal(IngestOutcome.Duplicate, restored.Decide(e)));
        foreach (var e in events.Where(e => e is SessionStarted))
        {
            restored.Apply(e);
        }

        Assert.Equivalent(state.Tiles(now, "UTC", "GBP"), restored.Tiles(now, "UTC", "GBP"), strict: true);
        Assert.Equal(IngestOutcome.Accepted, restored.Decide(Session("s-new", now) with { EventId = Guid.Empty.ToString() }));
    }

    [Fact]
    public void A_format_4_snapshot_holding_long_ids_as_text_still_refuses_their_retries()
    {
        var start = Utc(2026, 6, 1, 0, 0);
        var state = new KpiState(Store);
        var sessions = Enumerable.Range(0, 50).Select(i => Session($"s{i}", start.AddMinutes(i)) with { EventId = Uuid(i, 3) }).ToArray();
        foreach (var s in sessions)
        {
            state.Apply(s);
        }

        var current = state.ToSnapshot();
        // As format 4 wrote it: every id as its text, no fingerprints.
        var format4 = current with
        {
            Format = 4,
            SeenEvents = [.. sessions.Select(s => new SeenEventSnapshot(s.EventId, StoreMinutes.Floor(s.OccurredAt)))],
            SeenFingerprints = null,
        };

        var restored = KpiState.FromSnapshot(Store, format4);

        Assert.Equal(50, restored.RememberedEventIdCount);
        Assert.All(sessions, s => Assert.Equal(IngestOutcome.Duplicate, restored.Decide(s)));
        Assert.Equal(
            current.SeenFingerprints!.Select(f => (f.High, f.Low, f.OccurredMinute)).Order(),
            restored.ToSnapshot().SeenFingerprints!.Select(f => (f.High, f.Low, f.OccurredMinute)).Order());
    }

    // A Shopify-shaped webhook id (36 characters, 25 bytes packed): too long to be held exactly.
    private static string Uuid(int n, short kind) => new Guid(n, kind, kind, 0, 0, 0, 0, 0, 0, 0, 0).ToString();

    // The table and the oracle moved together: ids older than the horizon leave both.
    private static void ExpireBoth(SeenEventIds seen, Dictionary<string, long> oracle, long horizon)
    {
        seen.ExpireBefore(horizon);
        foreach (var old in oracle.Where(kv => kv.Value < horizon).Select(kv => kv.Key).ToArray())
        {
            oracle.Remove(old);
        }
    }

    // The table must know the id exactly when the oracle does; a later minute replaces an earlier one, and a minute before
    // the horizon is held at the horizon.
    private static void SetBoth(SeenEventIds seen, Dictionary<string, long> oracle, string id, long minute, long horizon)
    {
        var held = oracle.TryGetValue(id, out var at);
        Assert.Equal(held, seen.Contains(id));
        if (!held || at < minute)
        {
            seen.Set(id, minute);
            oracle[id] = Math.Max(minute, horizon);
        }
    }

    private static void AssertSame(Dictionary<string, long> oracle, SeenEventIds seen)
    {
        foreach (var (id, minute) in oracle)
        {
            Assert.True(seen.TryGetMinute(id, out var held));
            Assert.Equal(minute, held);
        }

        Assert.Equal(
            oracle.Select(kv => (SeenEventIds.KeyOf(kv.Key), kv.Value)).Order(),
            seen.Entries().Order());
    }
}
