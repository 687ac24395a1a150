namespace SalesDash.Contracts.Commerce;

/// <summary>Marks a message that routes to one store's sharded entity; the shard extractor reads it.</summary>
public interface IWithStoreRef
{
    StoreRef Store { get; }
}
