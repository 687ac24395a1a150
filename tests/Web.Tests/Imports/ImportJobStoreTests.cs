using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.Identity;
using SalesDash.Web.Imports;
using SalesDash.Web.Tests.AppData;

namespace SalesDash.Web.Tests.Imports;

/// <summary>The import job store on both app database providers: the upload reads back whole, one claimant at a time, a lease that runs out is taken over.</summary>
public sealed class ImportJobStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<AppDatabaseProvider> Providers => [AppDatabaseProvider.Sqlite, AppDatabaseProvider.PostgreSQL];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_upload_reads_back_whole_and_its_job_has_one_runner_at_a_time(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var jobs = new ImportJobs(database.Databases, clock);
        var lease = TimeSpan.FromMinutes(2);
        var file = new byte[(ImportJobs.ChunkBytes * 2) + 12345];
        new Random(3).NextBytes(file);

        var id = await jobs.CreateAsync(new StoreRef("acme", "uk-shop"), "generic", "sales.csv", new ImportSettings(DateOrder: DateOrder.MonthFirst), Ct);
        var unqueued = await jobs.TryClaimAsync("node-a", lease, Ct);
        for (var seq = 0; seq * ImportJobs.ChunkBytes < file.Length; seq++)
        {
            var start = seq * ImportJobs.ChunkBytes;
            await jobs.AppendAsync(id, seq, file.AsMemory(start, Math.Min(ImportJobs.ChunkBytes, file.Length - start)), Ct);
        }

        await jobs.QueueAsync(id, file.Length, Ct);
        var a = await jobs.TryClaimAsync("node-a", lease, Ct);
        var b = await jobs.TryClaimAsync("node-b", lease, Ct);
        var read = new MemoryStream();
        await using (var stream = jobs.OpenFile(id))
        {
            await stream.CopyToAsync(read, Ct);
        }

        clock.Advance(lease + TimeSpan.FromSeconds(1));
        var taken = await jobs.TryClaimAsync("node-b", lease, Ct);
        var aReports = await jobs.ReportAsync(id, "node-a", new ImportCounters(10, 5, 5, 0, []), lease, Ct);
        await jobs.FinishAsync(id, "node-b", new ImportCounters(10, 10, 9, 0, [new ImportError(4, "bad")]), null, Ct);
        var done = await jobs.FindAsync(id, Ct);
        var left = new MemoryStream();
        await using (var stream = jobs.OpenFile(id))
        {
            await stream.CopyToAsync(left, Ct);
        }

        Assert.Null(unqueued);
        Assert.Equal((id, DateOrder.MonthFirst), (a!.Id, a.Settings.DateOrder));
        Assert.Null(b);
        Assert.Equal(file, read.ToArray());
        Assert.Equal(id, taken?.Id);
        Assert.False(aReports);
        Assert.Equal(("Completed", 10, 9, 1, 4), (done!.Status, done.RowsDone, done.EventsAccepted, done.ErrorCount, done.Errors.Single().Line));
        Assert.Equal(0, left.Length);
        Assert.Equal(0, await jobs.ActiveForAsync("acme", Ct));
    }
}
