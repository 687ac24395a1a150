using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Channels;
using SalesDash.Web.Goals;
using SalesDash.Web.Identity;
using SalesDash.Web.Onboarding;
using SalesDash.Web.Reports;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Stores;

/// <summary>
/// A store deleted with its data: its id is kept so it is never given to another store (a new store under the same id
/// would read whatever a slow deletion had not removed yet, and old links would point at it), with who deleted it and
/// when. While <see cref="DataDeletedAt"/> is null the store is "deleting": its app rows are gone and
/// <see cref="StepsDone"/> says which of its recorded data is gone too. An interrupted deletion is finished by asking
/// again, or by the <see cref="StoreDeletionJob"/> once <see cref="LeaseUntil"/> has passed.
/// </summary>
public sealed class DeletedStoreRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Name { get; set; }
    public DateTime DeletedAt { get; set; }
    public string? DeletedBy { get; set; }
    public DateTime? DataDeletedAt { get; set; }

    /// <summary>Until then the deletion belongs to whoever is running it; after it, the job may take it over.</summary>
    public DateTime? LeaseUntil { get; set; }

    /// <summary>The steps after the app rows that are done, comma-separated: <c>journal</c>, <c>history</c>.</summary>
    public string StepsDone { get; set; } = string.Empty;

    /// <summary>Who finished it when not the request that started it (the job's name); null when the request did.</summary>
    public string? FinishedBy { get; set; }
}

/// <summary>How deletions are leased and looked after, bound from "StoreDeletion" (not under "Stores", which is the list of configured stores).</summary>
public sealed class StoreDeletionOptions
{
    public const string Section = "StoreDeletion";

    /// <summary>
    /// How long a running deletion is left to its runner before the job takes it over: longer than the entity's
    /// <see cref="StoreLifecycle.ForgetTimeout"/> plus a history delete, so a slow but live deletion is not run twice
    /// (which would be harmless, every step being idempotent, only wasteful).
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the job looks for deletions left unfinished.</summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>DELETE /api/tenants/{t}/stores/{s}: the store's exact name, typed by the person, so a slip of the mouse deletes nothing.</summary>
public sealed record StoreDeleteRequest(string? Name);

/// <summary>What a deletion removed: the store, its app rows, its journal rows and its history.</summary>
public sealed record StoreDeletion(
    string TenantId, string StoreId, string Name, DateTimeOffset DeletedAt, string? DeletedBy, DateTimeOffset? DataDeletedAt, int AppRows, int JournalRows);

/// <summary>A reconnected store; the new webhook secret is shown this once (null when the secret is set in configuration).</summary>
public sealed record ReconnectedStore(string TenantId, string StoreId, string? WebhookSecret);

/// <summary>
/// Disconnecting, reconnecting and deleting a store. Disconnected: no more data is taken (webhooks 410, pollers stop,
/// the Shopify app's token removed) and everything recorded stays. Deleted: every row of it in the app database, its
/// entity's journal and snapshots, and its history are removed; only the audit log and the id's tombstone remain.
/// </summary>
public sealed class StoreLifecycle(
    IStoreDirectory stores,
    IOptions<StoreDeletionOptions> deletionOptions,
    StoreDirectoryCache cache,
    IDbContextFactory<AppIdentityDbContext> databases,
    IChannelConnectionStore connections,
    IReportStore reports,
    IHistoryStore history,
    JournalPurge journal,
    IRequiredActor<TenantStoreRegion> region,
    IRequiredActor<AlertCoordinatorActor> alerts,
    TimeProvider time,
    ILogger<StoreLifecycle> log)
{
    /// <summary>
    /// How long the entity may take to delete its journal: it first recovers (replays) the store, which for a big store
    /// takes longer than an ordinary ask. Past it the deletion answers 503 and is finished by asking again.
    /// </summary>
    public static readonly TimeSpan ForgetTimeout = TimeSpan.FromMinutes(2);

    public async Task<StoreProfile> DisconnectAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var disconnected = store.DisconnectedAt is null ? store with { DisconnectedAt = StoredTime.Truncate(time.GetUtcNow()) } : store;
        await stores.UpsertAsync(disconnected, cancellationToken);

        // The Shopify app's Admin token is removed and its installation marked uninstalled, as app/uninstalled does.
        await connections.DeleteAsync(store.Store, SalesChannel.Shopify, cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = StoredTime.From(time.GetUtcNow());
        await db.Set<ShopifyInstallationRow>()
            .Where(i => i.TenantId == store.Store.TenantId && i.StoreId == store.Store.StoreId && i.UninstalledAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.UninstalledAt, now), cancellationToken);
        return disconnected;
    }

    /// <summary>
    /// Takes data again under a new webhook secret; the old one is not accepted (no grace period: whoever held it while
    /// the store was disconnected should not be able to feed it). A secret set in configuration stays configuration's.
    /// </summary>
    public async Task<ReconnectedStore> ReconnectAsync(StoreProfile store, bool secretConfigured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? secret = null;
        var reconnected = store with { DisconnectedAt = null };
        if (!secretConfigured)
        {
            secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            reconnected = reconnected with { WebhookSecret = secret };
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await db.PreviousWebhookSecrets.Where(p => p.TenantId == store.Store.TenantId && p.StoreId == store.Store.StoreId)
                .ExecuteDeleteAsync(cancellationToken);
        }

        await stores.UpsertAsync(reconnected, cancellationToken);
        return new ReconnectedStore(store.Store.TenantId, store.Store.StoreId, secret);
    }

    /// <summary>The tombstone of a deleted store id, if it was deleted.</summary>
    public async Task<DeletedStoreRow?> FindDeletedAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<DeletedStoreRow>().AsNoTracking()
            .SingleOrDefaultAsync(d => d.TenantId == store.TenantId && d.StoreId == store.StoreId, cancellationToken);
    }

    /// <summary>
    /// Deletes the store and everything of it. The app rows go first, in one transaction with the tombstone, so from
    /// then on the store answers 404 everywhere and takes nothing; then the entity deletes its journal (after its
    /// writers have written what it handed them), the journal's leftover rows are purged, and history is deleted.
    /// A failure after the first step leaves the tombstone without <see cref="DeletedStoreRow.DataDeletedAt"/>, and
    /// <see cref="FinishAsync"/> (a repeated DELETE) picks up from there; every step is idempotent.
    /// </summary>
    public async Task<StoreDeletion> DeleteAsync(StoreProfile store, string? deletedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var appRows = await BeginDeleteAsync(store, deletedBy, cancellationToken);
        return await FinishAsync(store.Store, appRows, finishedBy: null, cancellationToken);
    }

    /// <summary>
    /// The first step of a deletion: the store's app rows go, with the tombstone that marks it deleting (leased to this
    /// caller), in one transaction; every node drops it from its webhook cache, and its entity refuses events from then
    /// on. Returns the number of app rows deleted. What is left is <see cref="FinishAsync"/>'s.
    /// </summary>
    public async Task<int> BeginDeleteAsync(StoreProfile store, string? deletedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var storeRef = store.Store;

        // Reports are JSON documents that list stores: one only about this store goes with its sends (they hold its
        // figures); one about several keeps the others. Idempotent, so done before the transaction.
        foreach (var report in await reports.ListAsync(storeRef.TenantId, cancellationToken))
        {
            if (!report.StoreIds.Contains(storeRef.StoreId, StringComparer.Ordinal))
            {
                continue;
            }

            var rest = report.StoreIds.Where(id => id != storeRef.StoreId).ToList();
            if (rest.Count == 0)
            {
                await reports.DeleteAsync(storeRef.TenantId, report.Id, cancellationToken);
            }
            else
            {
                await reports.SaveAsync(report with { StoreIds = rest, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            }
        }

        int appRows;
        var deletedAt = StoredTime.From(time.GetUtcNow());
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await db.Set<DeletedStoreRow>().AnyAsync(d => d.TenantId == storeRef.TenantId && d.StoreId == storeRef.StoreId, cancellationToken))
            {
                db.Add(new DeletedStoreRow
                {
                    TenantId = storeRef.TenantId, StoreId = storeRef.StoreId, Name = store.Name, DeletedAt = deletedAt, DeletedBy = deletedBy,
                    LeaseUntil = StoredTime.From(time.GetUtcNow() + deletionOptions.Value.Lease),
                });
                await db.SaveChangesAsync(cancellationToken);
            }

            appRows = await DeleteAppRowsAsync(db, storeRef, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // Every node's webhook cache drops it now (cluster pub-sub), not when its copy expires; the entity's tombstone
        // check is what refuses a delivery that got past a cache before the notice arrived.
        cache.Changed(storeRef);
        alerts.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        log.LogInformation("Store {Store} deleted by {By}: {Rows} app rows; deleting its journal and history", storeRef, deletedBy, appRows);
        return appRows;
    }

    /// <summary>
    /// Deletes the journal and history of a store whose app rows are gone, recording each step as it is done (a step done
    /// is not done again), and then when the whole deletion was done and by whom (<paramref name="finishedBy"/>: null for
    /// the request that started it or a repeat of it, the job's name when the job finished it).
    /// </summary>
    public async Task<StoreDeletion> FinishAsync(StoreRef store, int appRows, string? finishedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var row = await FindDeletedAsync(store, cancellationToken)
            ?? throw new InvalidOperationException($"{store} has no tombstone: its deletion was never begun.");
        var journalRows = 0;
        if (!HasStep(row, JournalStep))
        {
            var shardRegion = await region.GetAsync(cancellationToken);
            var forgotten = await shardRegion.Ask<TenantStore.Forgotten>(new TenantStore.Forget(store), ForgetTimeout, cancellationToken);
            if (forgotten.Failure is not null)
            {
                // The purge below removes the rows anyway; the entity's own deletion failing is worth knowing, not fatal.
                log.LogWarning("The entity of {Store} could not delete its journal itself ({Failure}); its rows are purged directly", store, forgotten.Failure);
            }

            journalRows = await journal.DeleteAsync(TenantStoreIds.PersistenceIdFor(store), cancellationToken);
            await RecordStepAsync(store, JournalStep, cancellationToken);
        }

        if (!HasStep(row, HistoryStep))
        {
            await history.DeleteStoreAsync(store.TenantId, store.StoreId, cancellationToken);
            await RecordStepAsync(store, HistoryStep, cancellationToken);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var done = await db.Set<DeletedStoreRow>().SingleAsync(d => d.TenantId == store.TenantId && d.StoreId == store.StoreId, cancellationToken);
        if (done.DataDeletedAt is null)
        {
            done.DataDeletedAt = StoredTime.From(time.GetUtcNow());
            done.FinishedBy = finishedBy;
            done.LeaseUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }

        return new StoreDeletion(done.TenantId, done.StoreId, done.Name, StoredTime.To(done.DeletedAt), done.DeletedBy, StoredTime.To(done.DataDeletedAt), appRows, journalRows);
    }

    /// <summary>
    /// Deletions nobody is running: data not yet deleted and the lease run out (or never taken). Each is claimed with one
    /// conditional UPDATE (the lease it was seen with), so two callers never both take the same one.
    /// </summary>
    internal async Task<IReadOnlyList<DeletedStoreRow>> ClaimAbandonedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowStored = StoredTime.From(now);
        var until = StoredTime.From(now + deletionOptions.Value.Lease);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var abandoned = await db.Set<DeletedStoreRow>().AsNoTracking()
            .Where(d => d.DataDeletedAt == null && (d.LeaseUntil == null || d.LeaseUntil < nowStored))
            .ToListAsync(cancellationToken);
        var claimed = new List<DeletedStoreRow>();
        foreach (var row in abandoned)
        {
            var seen = row.LeaseUntil;
            var taken = await db.Set<DeletedStoreRow>()
                .Where(d => d.TenantId == row.TenantId && d.StoreId == row.StoreId && d.DataDeletedAt == null && d.LeaseUntil == seen)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.LeaseUntil, until), cancellationToken);
            if (taken == 1)
            {
                claimed.Add(row);
            }
        }

        return claimed;
    }

    private const string JournalStep = "journal";
    private const string HistoryStep = "history";

    private static bool HasStep(DeletedStoreRow row, string step) =>
        row.StepsDone.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(step, StringComparer.Ordinal);

    private async Task RecordStepAsync(StoreRef store, string step, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<DeletedStoreRow>().SingleAsync(d => d.TenantId == store.TenantId && d.StoreId == store.StoreId, cancellationToken);
        if (!HasStep(row, step))
        {
            row.StepsDone = row.StepsDone.Length == 0 ? step : row.StepsDone + "," + step;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Every app table with a TenantId and a StoreId column (found in the EF model, so a table added later is covered):
    /// the store, its connections, sync state and cursors, alerts and pauses, imports, installations, warehouse
    /// watermarks, recommendation states, the replaced webhook secret; plus documents that name the store in their JSON
    /// (alert rules, goals) and the chunks of its imports. Dashboards name no store (their widgets filter by channel).
    /// </summary>
    internal static async Task<int> DeleteAppRowsAsync(AppIdentityDbContext db, StoreRef store, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var jobIds = await db.Set<Imports.ImportJobRow>().Where(j => j.TenantId == store.TenantId && j.StoreId == store.StoreId)
            .Select(j => j.Id).ToListAsync(cancellationToken);
        deleted += await db.Set<Imports.ImportChunkRow>().Where(c => jobIds.Contains(c.JobId)).ExecuteDeleteAsync(cancellationToken);

        deleted += await DeleteNamedInBodyAsync<AlertRuleRow>(db, r => r.TenantId == store.TenantId, r => r.Body, store.StoreId, cancellationToken);
        deleted += await DeleteNamedInBodyAsync<GoalRow>(db, g => g.TenantId == store.TenantId, g => g.Body, store.StoreId, cancellationToken);

        foreach (var (table, tenantColumn, storeColumn) in StoreTables(db.Model))
        {
            // Table and column names come from the EF model (quoted), never from input; the values are parameters.
            var sql = "DELETE FROM " + table + " WHERE " + tenantColumn + " = {0} AND " + storeColumn + " = {1}";
            deleted += await db.Database.ExecuteSqlRawAsync(sql, [store.TenantId, store.StoreId], cancellationToken);
        }

        return deleted;
    }

    /// <summary>Quoted (table, tenant column, store column) of every app table keyed by a store, except the tombstones.</summary>
    internal static IReadOnlyList<(string Table, string TenantColumn, string StoreColumn)> StoreTables(IModel model)
    {
        var tables = new List<(string, string, string)>();
        foreach (var entity in model.GetEntityTypes())
        {
            if (entity.ClrType == typeof(DeletedStoreRow) || entity.GetTableName() is not { } name)
            {
                continue;
            }

            var identifier = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var tenant = entity.FindProperty("TenantId")?.GetColumnName(identifier);
            var storeColumn = entity.FindProperty("StoreId") is { ClrType: var type } property && type == typeof(string) ? property.GetColumnName(identifier) : null;
            if (tenant is not null && storeColumn is not null)
            {
                var table = entity.GetSchema() is { } schema ? $"{Quote(schema)}.{Quote(name)}" : Quote(name);
                tables.Add((table, Quote(tenant), Quote(storeColumn)));
            }
        }

        return tables;

        static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static async Task<int> DeleteNamedInBodyAsync<TRow>(AppIdentityDbContext db, System.Linq.Expressions.Expression<Func<TRow, bool>> ofTenant,
        Func<TRow, string> body, string storeId, CancellationToken cancellationToken)
        where TRow : class
    {
        var rows = await db.Set<TRow>().Where(ofTenant).ToListAsync(cancellationToken);
        var doomed = rows.Where(r => NamesStore(body(r), storeId)).ToList();
        db.Set<TRow>().RemoveRange(doomed);
        await db.SaveChangesAsync(cancellationToken);
        return doomed.Count;
    }

    /// <summary>Whether a JSON document's top-level "storeId" is this store (a null or absent one is the whole organisation's).</summary>
    internal static bool NamesStore(string body, string storeId)
    {
        using var document = JsonDocument.Parse(body);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, "storeId", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString() == storeId;
            }
        }

        return false;
    }

    /// <summary>The EF model of the tombstones; called from <see cref="AppDataModel.Configure"/>.</summary>
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<DeletedStoreRow>(e =>
        {
            e.ToTable("DeletedStores");
            e.HasKey(d => new { d.TenantId, d.StoreId });
            e.Property(d => d.TenantId).HasMaxLength(64);
            e.Property(d => d.StoreId).HasMaxLength(64);
            e.Property(d => d.Name).HasMaxLength(100);
            e.Property(d => d.DeletedBy).HasMaxLength(256);
            e.Property(d => d.StepsDone).HasMaxLength(64);
            e.Property(d => d.FinishedBy).HasMaxLength(64);
        });
    }
}

/// <summary>The tombstones of deleted stores in the app database, for the tenant entity's guard.</summary>
public sealed class DeletedStoreTombstones(IDbContextFactory<AppIdentityDbContext> databases) : IStoreTombstones
{
    public async Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<DeletedStoreRow>().AnyAsync(d => d.TenantId == store.TenantId && d.StoreId == store.StoreId, cancellationToken);
    }

    /// <summary>One query for many entities starting together: rows of their store ids, matched to the exact pairs here.</summary>
    public async Task<IReadOnlySet<StoreRef>> DeletedAmongAsync(IReadOnlyCollection<StoreRef> stores, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var asked = stores.ToHashSet();
        if (asked.Count == 0)
        {
            return asked;
        }

        var storeIds = asked.Select(s => s.StoreId).Distinct(StringComparer.Ordinal).ToList();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<DeletedStoreRow>().AsNoTracking()
            .Where(d => storeIds.Contains(d.StoreId))
            .Select(d => new { d.TenantId, d.StoreId })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new StoreRef(r.TenantId, r.StoreId)).Where(asked.Contains).ToHashSet();
    }
}

/// <summary>
/// Finishes deletions nobody finished: a node that died (or a request that failed) after the app rows went leaves the
/// store deleting, with a lease that runs out; this job, on whichever node runs the cluster jobs, claims it, deletes
/// what is left (every step idempotent, steps done skipped) and audits that it finished it and who started it.
/// </summary>
public sealed class StoreDeletionJob(StoreLifecycle lifecycle, IAuditLog audit, IOptions<StoreDeletionOptions> options, TimeProvider time,
    ILogger<StoreDeletionJob> log) : IClusterJob
{
    public const string JobName = "store-deletion";

    public string Name => JobName;

    public TimeSpan Interval => options.Value.JobInterval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await lifecycle.ClaimAbandonedAsync(cancellationToken))
        {
            var store = new StoreRef(row.TenantId, row.StoreId);
            log.LogInformation("Finishing the deletion of {Store}, started by {By} at {At}", store, row.DeletedBy, row.DeletedAt);
            var deletion = await lifecycle.FinishAsync(store, 0, JobName, cancellationToken);
            var startedBy = row.DeletedBy ?? "an unknown user";
            await audit.AppendAsync(new AuditEntry(0, time.GetUtcNow(), row.TenantId, null, null, null, "DeleteStore", "JOB", "cluster-jobs/" + JobName,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["storeId"] = row.StoreId }, StatusCodes.Status200OK, "succeeded",
                $"finished deleting {row.Name} with its data (started by {startedBy} at {StoredTime.To(row.DeletedAt):yyyy-MM-dd HH:mm} UTC, "
                + $"interrupted after: app rows{(row.StepsDone.Length > 0 ? ", " + row.StepsDone : string.Empty)}): {deletion.JournalRows} journal rows, history; "
                + $"finished by the {JobName} job"), cancellationToken);
        }
    }
}

/// <summary>Registers store disconnection, reconnection and deletion.</summary>
public static class StoreLifecycleHosting
{
    public static IServiceCollection AddStoreLifecycle(this IServiceCollection services)
    {
        services.AddOptions<StoreDeletionOptions>()
            .BindConfiguration(StoreDeletionOptions.Section)
            .Validate(o => o.Lease > StoreLifecycle.ForgetTimeout, "StoreDeletion:Lease must be longer than the entity's forget timeout (2 minutes).")
            .Validate(o => o.JobInterval > TimeSpan.Zero, "StoreDeletion:JobInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new JournalPurge(sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<StoreLifecycle>();
        // Deleted stores' tombstones, which the tenant entity reads when it starts with nothing recovered.
        services.AddSingleton<IStoreTombstones, DeletedStoreTombstones>();
        services.AddClusterJob<StoreDeletionJob>();
        return services;
    }
}
