using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.GoogleAds;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Channels;

/// <summary>Each module's settings and credentials records are its descriptor, its validation and its stored form.</summary>
public sealed class ChannelDescriptorTests
{
    public static TheoryData<SalesChannel> Channels() => [.. ChannelCatalog.All.Select(d => d.Channel)];

    /// <summary>A value of each field in the text the store keeps (dates in round-trip form, enums in lower case).</summary>
    private static Dictionary<string, string> Sample(IEnumerable<ConnectionField> fields) => fields.ToDictionary(f => f.Name, f => f.ValueType switch
    {
        _ when f.ValueType == typeof(DateTimeOffset) => "2026-11-01T00:00:00.0000000+00:00",
        _ when f.ValueType == typeof(IReadOnlyList<string>) => "A1F83G8C2ARO7P,ATVPDKIKX0DER",
        _ when f.ValueType.IsEnum => Enum.GetNames(f.ValueType)[^1].ToLowerInvariant(),
        _ when f.Name == "shopDomain" => "acme-uk.myshopify.com",
        _ when f.Name == "siteUrl" => "https://shop.example.com",
        _ => $"{f.Name}-value",
    }, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Channels))]
    public void A_full_connection_is_valid_and_reads_into_the_module_records_and_back_unchanged(SalesChannel channel)
    {
        var descriptor = ChannelCatalog.Find(channel)!;
        var (settings, credentials) = (Sample(descriptor.Settings), Sample(descriptor.Credentials));

        Assert.Empty(descriptor.Validate(new ConnectionValues(settings, credentials)));
        Assert.Equal(settings, ConnectionForm.Write(ConnectionForm.Read(descriptor.SettingsRecord, settings)));
        Assert.Equal(credentials, ConnectionForm.Write(ConnectionForm.Read(descriptor.CredentialsRecord, credentials)));
        Assert.All(descriptor.Credentials, f => Assert.True(f.Secret));
        Assert.All(descriptor.Settings, f => Assert.False(f.Secret));
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public void Every_required_field_left_out_is_named(SalesChannel channel)
    {
        var descriptor = ChannelCatalog.Find(channel)!;

        var problems = descriptor.Validate(new ConnectionValues(new Dictionary<string, string>(), new Dictionary<string, string>()));

        Assert.Equal(
            descriptor.RequiredSettings.Select(n => "settings." + n).Concat(descriptor.RequiredCredentials.Select(n => "credentials." + n)).Order(),
            problems.Select(p => p.Field).Order());
        Assert.All(problems, p => Assert.Equal("Required.", p.Problem));
    }

    [Fact]
    public void The_records_state_names_need_and_secrecy()
    {
        var amazon = AmazonPollerModule.Descriptor;

        Assert.Equal(["marketplaceIds"], amazon.RequiredSettings);
        Assert.Equal(["region", "since"], amazon.OptionalSettings);
        Assert.Equal(["clientId", "clientSecret", "refreshToken"], amazon.RequiredCredentials);
        Assert.Equal([typeof(IReadOnlyList<string>), typeof(AmazonRegion), typeof(DateTimeOffset)], amazon.Settings.Select(f => f.ValueType));
        Assert.Equal(["clientId", "clientSecret"], SalesDash.Connectors.PayPal.PayPalWebhookModule.Descriptor.OptionalCredentials);
        Assert.Equal(["webhookSecret"], SalesDash.Connectors.Stripe.StripeWebhookModule.Descriptor.RequiredCredentials);
    }

    [Theory]
    [InlineData("region", "moon", "'moon' is not one of na, eu, fe.")]
    [InlineData("region", "1", "'1' is not one of na, eu, fe.")]
    [InlineData("since", "last tuesday", "'last tuesday' is not a date")]
    [InlineData("marketplaceIds", " , ", "A comma-separated list")]
    public void A_mistyped_setting_is_named_with_what_it_should_be(string field, string text, string problem)
    {
        var settings = new Dictionary<string, string> { ["marketplaceIds"] = "ATVPDKIKX0DER", [field] = text };
        var credentials = new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "s", ["refreshToken"] = "r" };

        var found = Assert.Single(AmazonPollerModule.Descriptor.Validate(new ConnectionValues(settings, credentials)));

        Assert.Equal("settings." + field, found.Field);
        Assert.StartsWith(problem, found.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Module_rules_name_their_field()
    {
        var shopify = ShopifyAdminPollerModule.Descriptor.Validate(new ConnectionValues(
            new Dictionary<string, string> { ["shopDomain"] = "evil.example.com:8443" }, new Dictionary<string, string> { ["accessToken"] = "t" }));
        var paypal = SalesDash.Connectors.PayPal.PayPalWebhookModule.Descriptor.Validate(new ConnectionValues(
            new Dictionary<string, string> { ["webhookId"] = "WH-1" }, new Dictionary<string, string> { ["clientId"] = "id" }));

        Assert.Equal("settings.shopDomain", Assert.Single(shopify).Field);
        Assert.Equal("credentials.clientSecret", Assert.Single(paypal).Field);
    }

    [Fact]
    public void A_row_stored_before_the_records_still_reads_and_binds()
    {
        // As the connection store held Amazon and GA4 rows before the typed records: lower-case region, date-only since.
        var amazon = new Dictionary<string, string> { ["marketplaceIds"] = "A1F83G8C2ARO7P", ["region"] = "eu", ["since"] = "2026-10-01" };
        var ga4 = new Dictionary<string, string> { ["propertyId"] = "123456" };
        var oauth = new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "secret", ["refreshToken"] = "token" };

        var settings = ConnectionForm.Read<AmazonConnectionSettings>(amazon);
        var context = new PollerContext(new HttpClient(), new ChannelEndpoints(), TestStores.UkShop, null!, TimeProvider.System);
        var bound = new AmazonPollerModule().Bind(new ConnectionValues(amazon, oauth), context);
        var ga4Bound = new Ga4PollerModule().Bind(new ConnectionValues(ga4, oauth), context);

        Assert.Equal(["A1F83G8C2ARO7P"], settings.MarketplaceIds);
        Assert.Equal(AmazonRegion.Eu, settings.Region);
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), settings.Since);
        Assert.Equal(("eu", new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)), (bound.Region, bound.Since));
        Assert.Equal(("123456", "Europe/London", "keyEvents"), (ga4Bound.PropertyId, ga4Bound.TimeZone, ga4Bound.ConversionMetric));
        Assert.Empty(Ga4PollerModule.Descriptor.Validate(new ConnectionValues(ga4, oauth)));
    }

    [Fact]
    public void Each_poller_module_binds_a_connection_made_only_of_its_declared_fields()
    {
        var context = new PollerContext(new HttpClient(), new ChannelEndpoints(), TestStores.UkShop, null!, TimeProvider.System);
        IPollerModule[] modules = [new AmazonPollerModule(), new Ga4PollerModule(), new FacebookAdsPollerModule(), new GoogleAdsPollerModule(), new ShopifyAdminPollerModule()];

        foreach (var module in modules)
        {
            var descriptor = ChannelCatalog.Find(module.Channel)!;
            var values = new ConnectionValues(
                Sample(descriptor.Settings.Where(f => f.Required)), Sample(descriptor.Credentials.Where(f => f.Required)));

            // A module that read a key its records do not declare would throw here, naming it.
            Assert.NotNull(module.Create(values, context));
        }
    }
}
