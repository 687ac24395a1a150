using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Stores;

/// <summary>
/// Nothing of a deleted store comes back: an event that got past every cache (a delivery in flight when the store was
/// deleted) is refused by the store's entity and writes nothing to the journal or history. A deletion left half done
/// (its node died after the app rows went) is finished by the store-deletion cluster job once its lease has run out,
/// once, and audited with who started it and that the job finished it.
/// </summary>
public sealed class StoreDeletionGuardTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TestStore Gone = new("tomb", "gone", "tomb-gone.myshopify.com", "GBP", "Europe/London", "gone-secret-0123456789");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Scheduled polls would reach for the network; the deletion job's own passes are kept out of the test that drives them.
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Channels:SchedulerEnabled"] = "false",
        ["StoreDeletion:JobInterval"] = "1.00:00:00",
    };

    // A late singleton start past the test's lease would finish the deletion itself, racing the pass the test reads.
    private static void OnlyThisTestsPasses(IServiceCollection services)
    {
        SalesDashHost.WithoutClusterJobs(services);
        services.AddSingleton<StoreDeletionJob>();
    }

    [Fact]
    public async Task An_event_reaching_the_ingestion_door_for_a_deleted_store_is_refused_and_writes_nothing_to_the_journal_or_history()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [], Settings = Settings });
        var profile = await CreateAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().SendAsync(Order(Gone, 1, 30m), Ct)).StatusCode);
        await app.FlushHistoryAsync();
        var journal = new JournalPurge(app.Services.GetRequiredService<IOptions<EngineOptions>>().Value);
        var history = app.Services.GetRequiredService<IHistoryStore>();
        var persistenceId = TenantStoreIds.PersistenceIdFor(profile.Store);
        Assert.True((await journal.CountAsync(persistenceId, Ct)).Values.Sum() > 0);

        var admin = app.CreateSignedInClient(OrgRole.Admin, "tomb");
        using (var deleted = await DeleteAsync(admin, Gone.StoreId, "Gone Shop"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        // The profile read before the deletion, as a delivery in flight (or a node whose cache has not heard yet) holds it.
        var pipeline = app.Services.GetRequiredService<IngestionPipeline>();
        await Assert.ThrowsAsync<StoreDeletedException>(() => pipeline.IngestAsync(profile, OrderEvent(profile.Store, "late-1", 12.5m), Ct));
        await Assert.ThrowsAsync<StoreDeletedException>(() => pipeline.IngestAsync(profile, [OrderEvent(profile.Store, "late-2", 1m), OrderEvent(profile.Store, "late-3", 2m)], Ct));
        await app.FlushHistoryAsync();

        Assert.All(await journal.CountAsync(persistenceId, Ct), table => Assert.Equal(0, table.Value));
        Assert.All(await history.CountStoreRowsAsync(Gone.TenantId, Gone.StoreId, Ct), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task Entities_starting_together_read_their_tombstones_in_one_query_that_matches_tenant_and_store_exactly()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [], Settings = Settings });
        await CreateAsync(app);
        var admin = app.CreateSignedInClient(OrgRole.Admin, "tomb");
        using (var deleted = await DeleteAsync(admin, Gone.StoreId, "Gone Shop"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        // Another tenant's store of the same id, and a live store of the same tenant, are not deleted.
        var tombstones = app.Services.GetRequiredService<IStoreTombstones>();
        var gone = new StoreRef(Gone.TenantId, Gone.StoreId);
        var deletedAmong = await tombstones.DeletedAmongAsync([gone, new StoreRef("other-tenant", Gone.StoreId), new StoreRef(Gone.TenantId, "live")], Ct);

        Assert.Equal([gone], deletedAmong);
        Assert.True(await tombstones.IsDeletedAsync(gone, Ct));
        Assert.Empty(await tombstones.DeletedAmongAsync([], Ct));
    }

    [Fact]
    public async Task A_deletion_interrupted_after_its_first_step_is_finished_once_by_the_job_after_its_lease_and_audited()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Stores = [], Settings = Settings, Services = OnlyThisTestsPasses });
        var profile = await CreateAsync(app);
        foreach (var id in new long[] { 21, 22 })
        {
            Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().SendAsync(Order(Gone, id, 40m), Ct)).StatusCode);
        }

        await app.FlushHistoryAsync();
        var journal = new JournalPurge(app.Services.GetRequiredService<IOptions<EngineOptions>>().Value);
        var history = app.Services.GetRequiredService<IHistoryStore>();
        var persistenceId = TenantStoreIds.PersistenceIdFor(profile.Store);
        var job = app.Services.GetRequiredService<StoreDeletionJob>();
        var lease = app.Services.GetRequiredService<IOptions<StoreDeletionOptions>>().Value.Lease;

        // The request's node dies right after the first step: the app rows and the tombstone are committed, nothing else.
        await app.Services.GetRequiredService<StoreLifecycle>().BeginDeleteAsync(profile, "alice@tomb.test", Ct);
        var interrupted = await TombstoneAsync(app);
        Assert.Equal((null, "", "alice@tomb.test"), (interrupted.DataDeletedAt, interrupted.StepsDone, interrupted.DeletedBy));
        Assert.True((await journal.CountAsync(persistenceId, Ct)).Values.Sum() > 0);
        Assert.True(Facts(await history.CountStoreRowsAsync(Gone.TenantId, Gone.StoreId, Ct)) > 0);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().SendAsync(Order(Gone, 23, 5m), Ct)).StatusCode);

        // Within the lease the deletion may still be running where it started: the job leaves it alone.
        await job.RunAsync(Ct);
        Assert.Null((await TombstoneAsync(app)).DataDeletedAt);
        Assert.True((await journal.CountAsync(persistenceId, Ct)).Values.Sum() > 0);

        app.Clock.Advance(lease + TimeSpan.FromMinutes(1));
        await job.RunAsync(Ct);
        var finished = await TombstoneAsync(app);
        await job.RunAsync(Ct);

        Assert.NotNull(finished.DataDeletedAt);
        Assert.Equal(("store-deletion", "journal,history"), (finished.FinishedBy, finished.StepsDone));
        Assert.All(await journal.CountAsync(persistenceId, Ct), table => Assert.Equal(0, table.Value));
        Assert.All(await history.CountStoreRowsAsync(Gone.TenantId, Gone.StoreId, Ct), table => Assert.Equal(0, table.Value));
        // The second pass found nothing to do and changed nothing.
        var again = await TombstoneAsync(app);
        Assert.Equal((finished.DataDeletedAt, finished.StepsDone, finished.FinishedBy), (again.DataDeletedAt, again.StepsDone, again.FinishedBy));

        var audit = await app.CreateSignedInClient(OrgRole.Admin, "tomb").GetFromJsonAsync<JsonElement>("/api/tenants/tomb/audit?action=DeleteStore", Json, Ct);
        var byJob = audit.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("summary").GetString() is { } summary && summary.Contains("finished by the store-deletion job", StringComparison.Ordinal))
            .ToList();
        var entry = Assert.Single(byJob);
        var text = entry.GetProperty("summary").GetString()!;
        Assert.Contains("finished deleting Gone Shop with its data (started by alice@tomb.test at 2026-11-25 15:30 UTC", text, StringComparison.Ordinal);
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
    }

    private static async Task<StoreProfile> CreateAsync(SalesDashHost app)
    {
        var profile = new StoreProfile(new StoreRef(Gone.TenantId, Gone.StoreId), "Gone Shop", SalesChannel.Shopify, Gone.ShopDomain, "GBP", "Europe/London", Gone.WebhookSecret);
        await app.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(profile, Ct);
        return (await app.Services.GetRequiredService<IStoreDirectory>().GetAsync(profile.Store, Ct))!;
    }

    private static async Task<DeletedStoreRow> TombstoneAsync(SalesDashHost app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<DeletedStoreRow>().AsNoTracking().SingleAsync(d => d.TenantId == Gone.TenantId && d.StoreId == Gone.StoreId, Ct);
    }

    private static long Facts(IReadOnlyDictionary<string, long> counts) =>
        counts.Where(c => c.Key.StartsWith("history_", StringComparison.Ordinal)).Sum(c => c.Value);

    private static OrderPlaced OrderEvent(StoreRef store, string id, decimal total) => new()
    {
        Store = store, Channel = SalesChannel.Shopify, EventId = id, OccurredAt = WebAppFactory.Now.AddMinutes(-10), StoreTimeZone = "Europe/London",
        Currency = "GBP", OrderId = "shopify:" + id, PlacedAt = WebAppFactory.Now.AddMinutes(-10), Version = WebAppFactory.Now.AddMinutes(-10),
        TotalPrice = total, Lines = [new OrderLine("sku", "Mug", 1, total)],
    };

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient client, string storeId, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/tenants/{Gone.TenantId}/stores/{storeId}")
        {
            Content = JsonContent.Create(new StoreDeleteRequest(name), options: Json),
        };
        return await client.SendAsync(request, Ct);
    }

    private static HttpRequestMessage Order(TestStore store, long id, decimal total)
    {
        var at = WebAppFactory.Now.AddMinutes(-30 - id);
        return ShopifyPayloads.Webhook(store, "orders/create", new TestOrder(id, at, at, total, 1, 900 + id, 1).ToJson(store.Currency));
    }
}
