using System.Text.Json;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>The Stripe-Signature scheme and how subscription events change the billing row, without HTTP.</summary>
public sealed class StripeBillingEventsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly StripeBillingOptions Options = Priced();

    private static StripeBillingOptions Priced()
    {
        var options = new StripeBillingOptions();
        options.Prices[PlanTier.Growth] = "price_growth";
        return options;
    }

    private static StripeEvent Subscription(string type, string id, string status, long created) => StripeEvent.Parse(JsonDocument.Parse($$$"""
        {"id":"evt_{{{created}}}","type":"{{{type}}}","created":{{{created}}},"data":{"object":{"id":"{{{id}}}","customer":"cus_1","status":"{{{status}}}",
         "items":{"data":[{"price":{"id":"price_growth"},"current_period_end":{{{created + 100}}} }]} } } }
        """).RootElement.Clone())!;

    [Fact]
    public void Signature_of_stripes_documented_scheme_verifies_and_a_changed_byte_does_not()
    {
        const string payload = """{"id":"evt_1"}""";
        var header = $"t={Now.ToUnixTimeSeconds()},v1=00ff,v1={StripeSignature.Sign("whsec_x", Now.ToUnixTimeSeconds(), payload)}";

        Assert.Null(StripeSignature.Verify(header, payload, "whsec_x", Now, TimeSpan.FromMinutes(5)));
        Assert.NotNull(StripeSignature.Verify(header, payload + " ", "whsec_x", Now, TimeSpan.FromMinutes(5)));
        Assert.NotNull(StripeSignature.Verify(header, payload, "whsec_y", Now, TimeSpan.FromMinutes(5)));
        Assert.NotNull(StripeSignature.Verify(header, payload, "whsec_x", Now.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.NotNull(StripeSignature.Verify("v1=abc", payload, "whsec_x", Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void The_end_of_a_replaced_subscription_does_not_end_the_one_that_replaced_it()
    {
        var row = new OrganisationBilling { OrganisationId = "acme" };

        Assert.True(StripeBillingEvents.ApplySubscription(row, Subscription("customer.subscription.created", "sub_new", "active", 200), Options, Now));
        Assert.False(StripeBillingEvents.ApplySubscription(row, Subscription("customer.subscription.deleted", "sub_old", "canceled", 300), Options, Now));
        Assert.False(StripeBillingEvents.ApplySubscription(row, Subscription("customer.subscription.updated", "sub_new", "canceled", 100), Options, Now));

        Assert.Equal(("sub_new", "active", PlanTier.Growth, 200L), (row.StripeSubscriptionId, row.Status, row.Tier, row.LastEventCreated));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(300), row.CurrentPeriodEnd);
    }
}
