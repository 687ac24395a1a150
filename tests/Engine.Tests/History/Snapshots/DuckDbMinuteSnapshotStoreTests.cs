using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History.DuckDb;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Snapshots;

public sealed class DuckDbMinuteSnapshotStoreTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly DuckDbMinuteSnapshotStore _store;

    public DuckDbMinuteSnapshotStoreTests()
    {
        _store = new DuckDbMinuteSnapshotStore(DuckDbMinuteSnapshotStore.ConnectionStringFor(_data.Path));
    }

    public void Dispose()
    {
        _store.Dispose();
        _data.Dispose();
    }

    private static MinuteKpiRow Row(StoreRef store, DateTimeOffset minute, decimal gross, int orders = 1) =>
        new(store.TenantId, store.StoreId, minute, "GBP", gross, 1.25m, orders, orders * 2, orders, 0, 0);

    [Fact]
    public async Task Writing_the_same_rows_again_leaves_the_same_totals()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = Utc(2026, 6, 10, 9, 0);
        var rows = Enumerable.Range(0, 120).Select(i => Row(Store, start.AddMinutes(i), 10.10m + i)).ToArray();

        await _store.WriteAsync(rows, ct);
        await _store.WriteAsync(rows, ct);
        await _store.WriteAsync(rows.Reverse().ToArray(), ct);

        var read = await _store.ReadAsync(Store, start, start.AddHours(2), ct);
        Assert.Equal(120, read.Count);
        Assert.Equal(rows.Sum(r => r.GrossRevenue), read.Sum(r => r.GrossRevenue));
        Assert.Equal(rows, read);
    }

    [Fact]
    public async Task A_newer_row_for_a_minute_replaces_the_older_one_even_within_a_batch()
    {
        var ct = TestContext.Current.CancellationToken;
        var minute = Utc(2026, 6, 10, 9, 0);
        await _store.WriteAsync([Row(Store, minute, 10m)], ct);
        await _store.WriteAsync([Row(Store, minute, 20m, orders: 2), Row(Store, minute, 25.55m, orders: 3)], ct);

        var row = Assert.Single(await _store.ReadAsync(Store, minute, minute.AddMinutes(1), ct));

        Assert.Equal(25.55m, row.GrossRevenue);
        Assert.Equal(3, row.Orders);
        Assert.Equal(minute, row.Minute);
        Assert.Equal(TimeSpan.Zero, row.Minute.Offset);
    }

    [Fact]
    public async Task Reads_return_one_store_in_the_half_open_range_in_minute_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var other = new StoreRef("acme", "us-shop");
        var start = Utc(2026, 6, 10, 9, 0);
        await _store.WriteAsync([Row(Store, start.AddMinutes(2), 3m), Row(Store, start, 1m), Row(Store, start.AddMinutes(1), 2m), Row(other, start, 99m)], ct);

        var read = await _store.ReadAsync(Store, start, start.AddMinutes(2), ct);

        Assert.Equal([1m, 2m], read.Select(r => r.GrossRevenue));
    }

    [Fact]
    public async Task Concurrent_writers_are_serialised_and_all_rows_land()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = Utc(2026, 6, 10, 0, 0);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w =>
            _store.WriteAsync(Enumerable.Range(0, 50).Select(i => Row(Store, start.AddMinutes(w * 50 + i), 1m)).ToArray(), ct)));

        var read = await _store.ReadAsync(Store, start, start.AddDays(1), ct);

        Assert.Equal(400, read.Count);
        Assert.Equal(400m, read.Sum(r => r.GrossRevenue));
    }
}
