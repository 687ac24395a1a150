using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Engine.Stores;

/// <summary>The stores SalesDash knows, looked up by webhook origin or by reference.</summary>
public interface IStoreDirectory
{
    Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken);

    Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates the store or replaces its profile; idempotent.</summary>
    Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken);
}
