using SalesDash.Contracts.Commerce;

namespace SalesDash.Contracts.Stores;

/// <summary>
/// A connected store: who owns it, how its webhooks are recognised and signed,
/// and the currency and IANA time zone its figures are shown in.
/// </summary>
public sealed record StoreProfile(
    StoreRef Store,
    string Name,
    SalesChannel Channel,
    string ShopDomain,
    string Currency,
    string TimeZone,
    string WebhookSecret)
{
    /// <summary>
    /// When an Admin disconnected the store: it takes no more data (webhooks answer 410, pollers stop) and keeps its
    /// history and figures; null while connected.
    /// </summary>
    public DateTimeOffset? DisconnectedAt { get; init; }
}
