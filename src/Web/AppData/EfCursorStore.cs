using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>Poll cursors in the app database, so a poller moved to another node resumes where the last one stopped.</summary>
public sealed class EfCursorStore(IDbContextFactory<AppIdentityDbContext> databases) : ICursorStore
{
    public async Task<string?> LoadAsync(StoreRef store, string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<PollCursorRow>().AsNoTracking()
            .Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Stream == stream)
            .Select(c => c.Cursor).SingleOrDefaultAsync(cancellationToken);
    }

    public async Task SaveAsync(StoreRef store, string stream, string cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cursor);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        // One statement, so two savers never collide on the insert; the same SQL runs on SQLite and PostgreSQL.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "PollCursors" ("TenantId", "StoreId", "Stream", "Cursor") VALUES ({store.TenantId}, {store.StoreId}, {stream}, {cursor})
            ON CONFLICT ("TenantId", "StoreId", "Stream") DO UPDATE SET "Cursor" = excluded."Cursor"
            """, cancellationToken);
    }

    public async Task DeleteAsync(StoreRef store, string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<PollCursorRow>().Where(c => c.TenantId == store.TenantId && c.StoreId == store.StoreId && c.Stream == stream)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
