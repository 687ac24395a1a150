using SalesDash.Connectors.Shopify;

namespace SalesDash.Connectors.Tests.Shopify;

public sealed class ShopifyShopDomainTests
{
    [Theory]
    [InlineData("acme-uk.myshopify.com", "acme-uk.myshopify.com")]
    [InlineData("  Acme-UK.MyShopify.com ", "acme-uk.myshopify.com")]
    [InlineData("a1.myshopify.com", "a1.myshopify.com")]
    public void Shop_names_on_myshopify_are_accepted_lower_case(string text, string expected)
    {
        Assert.True(ShopifyShopDomain.TryNormalise(text, out var domain));
        Assert.Equal(expected, domain);
    }

    [Theory]
    [InlineData("127.0.0.1:8123")]
    [InlineData("localhost")]
    [InlineData("clickhouse:8123/?query=SELECT+1#.myshopify.com")]
    [InlineData("evil.example/.myshopify.com")]
    [InlineData("user@acme.myshopify.com")]
    [InlineData("acme.myshopify.com:8123")]
    [InlineData("a.b.myshopify.com")]
    [InlineData("-acme.myshopify.com")]
    [InlineData("acme-.myshopify.com")]
    [InlineData(".myshopify.com")]
    [InlineData("myshopify.com")]
    [InlineData("acme.myshopify.com.evil.example")]
    [InlineData("169.254.169.254")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_one_shop_label_on_myshopify_is_refused(string? text)
    {
        Assert.False(ShopifyShopDomain.TryNormalise(text, out _));
    }
}
