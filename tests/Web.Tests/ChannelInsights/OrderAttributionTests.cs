using SalesDash.Connectors.Common;

namespace SalesDash.Web.Tests.ChannelInsights;

/// <summary>The hashing and UTM reading every normaliser shares; a customer matches across channels only if these agree.</summary>
public sealed class OrderAttributionTests
{
    // `echo -n "test@example.com" | sha256sum`
    private const string TestAddressSha256 = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";

    [Theory]
    [InlineData("test@example.com")]
    [InlineData("  Test@Example.COM \n")]
    public void Email_is_hashed_trimmed_and_lower_cased(string email) => Assert.Equal(TestAddressSha256, OrderAttribution.HashEmail(email));

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void No_email_gives_no_hash(string? email) => Assert.Null(OrderAttribution.HashEmail(email));

    [Theory]
    [InlineData("/products/mug?utm_source=Facebook&utm_medium=Paid&utm_campaign=Black%20Friday", "facebook", "paid", "Black Friday")]
    [InlineData("https://shop.example/?utm_campaign=a+b&utm_source=google&utm_source=bing#top", "google", null, "a b")]
    [InlineData("/collections/all", null, null, null)]
    [InlineData(null, null, null, null)]
    public void Utm_tags_are_read_from_the_landing_page(string? landing, string? source, string? medium, string? campaign) =>
        Assert.Equal(new UtmTags(source, medium, campaign), OrderAttribution.ParseUtm(landing));
}
