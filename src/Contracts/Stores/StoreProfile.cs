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
    string WebhookSecret);
