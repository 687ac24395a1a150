using System.Collections.Concurrent;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Tests.Stores;

/// <summary>
/// The store directory of engine-only test hosts: the engine leaves the directory to its host (the web host keeps it
/// in the app database, tested in Web.Tests), so these hosts bring one that lives as long as they do.
/// </summary>
internal sealed class InMemoryStoreDirectory : IStoreDirectory
{
    private readonly ConcurrentDictionary<StoreRef, StoreProfile> _stores = new();

    public Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken) =>
        Task.FromResult(_stores.Values.FirstOrDefault(s => s.Channel == channel && string.Equals(s.ShopDomain, shopDomain.Trim(), StringComparison.OrdinalIgnoreCase)));

    public Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken) => Task.FromResult(_stores.GetValueOrDefault(store));

    public Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoreProfile>>([.. _stores.Values.OrderBy(s => s.Store.TenantId, StringComparer.Ordinal).ThenBy(s => s.Store.StoreId, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<StoreProfile>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoreProfile>>([.. _stores.Values.Where(s => s.Store.TenantId == tenantId).OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)]);

    public Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken)
    {
        _stores[profile.Store] = profile;
        return Task.CompletedTask;
    }
}
