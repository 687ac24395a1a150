using System.Text;
using System.Text.Json;
using SalesDash.Connectors.Shopify;

namespace SalesDash.Connectors.Tests.Shopify;

public sealed class ShopifyWebhookSignatureTests
{
    private static (byte[] Body, string Secret, string Expected) GoldenVector()
    {
        using var vector = JsonDocument.Parse(File.ReadAllText(SharedFiles.Shared("fixtures", "shopify", "hmac-vector.json")));
        var root = vector.RootElement;
        return (
            Encoding.UTF8.GetBytes(root.GetProperty("raw_body").GetString()!),
            root.GetProperty("secret").GetString()!,
            root.GetProperty("expected_header_value").GetString()!);
    }

    [Fact]
    public void Compute_matches_Shopifys_golden_vector()
    {
        var (body, secret, expected) = GoldenVector();

        Assert.Equal("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", expected);
        Assert.Equal(expected, ShopifyWebhookSignature.Compute(body, secret));
    }

    [Fact]
    public void Golden_vector_header_is_accepted()
    {
        var (body, secret, expected) = GoldenVector();

        Assert.True(ShopifyWebhookSignature.IsValid(body, expected, secret));
    }

    [Fact]
    public void A_changed_body_or_secret_is_rejected()
    {
        var (body, secret, expected) = GoldenVector();
        var tampered = (byte[])body.Clone();
        tampered[^2] ^= 0x01;

        Assert.False(ShopifyWebhookSignature.IsValid(tampered, expected, secret));
        Assert.False(ShopifyWebhookSignature.IsValid(body, expected, secret + "x"));
        Assert.False(ShopifyWebhookSignature.IsValid(body, expected, string.Empty));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not base64 at all!")]
    [InlineData("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g")]
    [InlineData("c2hvcnQ=")]
    [InlineData("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7gAAAA=")]
    public void Missing_or_malformed_header_is_rejected_without_throwing(string? header)
    {
        var (body, secret, _) = GoldenVector();

        Assert.False(ShopifyWebhookSignature.IsValid(body, header, secret));
    }

    [Fact]
    public void Signature_of_the_real_order_fixture_round_trips_and_one_flipped_byte_breaks_it()
    {
        var body = File.ReadAllBytes(SharedFiles.Shared("fixtures", "shopify", "order.json"));
        const string secret = "shpss_demo_secret";
        var header = ShopifyWebhookSignature.Compute(body, secret);

        Assert.True(ShopifyWebhookSignature.IsValid(body, header, secret));
        body[body.Length / 2] ^= 0x20;
        Assert.False(ShopifyWebhookSignature.IsValid(body, header, secret));
    }
}
