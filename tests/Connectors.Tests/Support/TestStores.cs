using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Tests.Support;

internal static class TestStores
{
    public static readonly StoreProfile UsShop = new(new StoreRef("acme", "us-shop"), "Acme US", SalesChannel.Shopify, "acme-us.myshopify.com", "USD", "America/New_York", "unused-secret-0123");

    public static readonly StoreProfile UkShop = new(new StoreRef("acme", "uk-shop"), "Acme UK", SalesChannel.Shopify, "acme-uk.myshopify.com", "GBP", "Europe/London", "unused-secret-0123");
}
