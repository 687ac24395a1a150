using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Engine.Stores;

/// <summary>The stores SalesDash knows, looked up by webhook origin or by reference.</summary>
public interface IStoreDirectory
{
    Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken);

    Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken);

    /// <summary>Every store of every organisation: for node-wide jobs (retention, alert evaluation), never for a request.</summary>
    Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The stores of one organisation, by store id; asked of the database, not filtered from every store.</summary>
    Task<IReadOnlyList<StoreProfile>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Creates the store or replaces its profile; idempotent.</summary>
    Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken);
}
