using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Stores;

/// <summary>
/// What every node hears when a store changes through any node's store directory (disconnected, reconnected, secret
/// rotated, edited, deleted), so each node drops the store from its webhook cache at once instead of when its copy
/// expires. Lives in Engine so that <see cref="Persistence.SalesDashSerializer"/> can name it on the wire.
/// </summary>
public static class StoreDirectoryNotices
{
    /// <summary>The cluster pub-sub topic store changes travel on.</summary>
    public const string Topic = "store-directory-changed";

    /// <summary>On the topic: the store changed; a node's next delivery for it reads the database.</summary>
    public sealed record StoreChanged(StoreRef Store);
}
