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
using SalesDash.Engine.History;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.AppData;
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
/// when. <see cref="DataDeletedAt"/> stays null until the journal and history are gone too, so an interrupted deletion
/// is finished by asking again.
/// </summary>
public sealed class DeletedStoreRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Name { get; set; }
    public DateTime DeletedAt { get; set; }
    public string? DeletedBy { get; set; }
    public DateTime? DataDeletedAt { get; set; }
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
                db.Add(new DeletedStoreRow { TenantId = storeRef.TenantId, StoreId = storeRef.StoreId, Name = store.Name, DeletedAt = deletedAt, DeletedBy = deletedBy });
                await db.SaveChangesAsync(cancellationToken);
            }

            appRows = await DeleteAppRowsAsync(db, storeRef, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        cache.Forget(storeRef);
        alerts.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        log.LogInformation("Store {Store} deleted by {By}: {Rows} app rows; deleting its journal and history", storeRef, deletedBy, appRows);
        return await FinishAsync(storeRef, appRows, cancellationToken);
    }

    /// <summary>Deletes the journal and history of a store whose app rows are gone, and records when that was done.</summary>
    public async Task<StoreDeletion> FinishAsync(StoreRef store, int appRows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var shardRegion = await region.GetAsync(cancellationToken);
        var forgotten = await shardRegion.Ask<TenantStore.Forgotten>(new TenantStore.Forget(store), ForgetTimeout, cancellationToken);
        if (forgotten.Failure is not null)
        {
            // The purge below removes the rows anyway; the entity's own deletion failing is worth knowing, not fatal.
            log.LogWarning("The entity of {Store} could not delete its journal itself ({Failure}); its rows are purged directly", store, forgotten.Failure);
        }

        var journalRows = await journal.DeleteAsync(TenantStoreIds.PersistenceIdFor(store), cancellationToken);
        await history.DeleteStoreAsync(store.TenantId, store.StoreId, cancellationToken);

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<DeletedStoreRow>().SingleAsync(d => d.TenantId == store.TenantId && d.StoreId == store.StoreId, cancellationToken);
        row.DataDeletedAt ??= StoredTime.From(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return new StoreDeletion(row.TenantId, row.StoreId, row.Name, StoredTime.To(row.DeletedAt), row.DeletedBy, StoredTime.To(row.DataDeletedAt), appRows, journalRows);
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
        });
    }
}

/// <summary>Registers store disconnection, reconnection and deletion.</summary>
public static class StoreLifecycleHosting
{
    public static IServiceCollection AddStoreLifecycle(this IServiceCollection services)
    {
        services.AddSingleton(sp => new JournalPurge(sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<StoreLifecycle>();
        return services;
    }
}
