using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Onboarding;

namespace SalesDash.Web.Tests.Onboarding;

/// <summary>The pure parts of onboarding: Shopify's callback HMAC, the checklist's steps and the templates' dashboards.</summary>
public sealed class ShopifyAppOAuthTests
{
    // Shopify's documented example (shared secret "hush"): the hmac of code, shop, state and timestamp.
    private static readonly KeyValuePair<string, string>[] Documented =
    [
        new("code", "0907a61c0c8d55e99db179b68161bc00"),
        new("hmac", "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"),
        new("shop", "some-shop.myshopify.com"),
        new("state", "0.6784241404160823"),
        new("timestamp", "1337178173"),
    ];

    [Fact]
    public void Callback_hmac_is_shopifys_documented_hex_sha256_of_the_sorted_other_parameters()
    {
        Assert.True(ShopifyAppOAuth.IsValidCallback(Documented, "hush"));
        // Order of arrival does not matter: Shopify signs the parameters sorted by name.
        Assert.True(ShopifyAppOAuth.IsValidCallback([.. Documented.Reverse()], "hush"));
    }

    [Theory]
    [InlineData("shop", "evil-shop.myshopify.com")]
    [InlineData("code", "0907a61c0c8d55e99db179b68161bc01")]
    [InlineData("state", "another-state")]
    public void Callback_with_a_changed_parameter_is_refused(string key, string value)
    {
        var tampered = Documented.Select(p => p.Key == key ? new KeyValuePair<string, string>(key, value) : p).ToList();
        Assert.False(ShopifyAppOAuth.IsValidCallback(tampered, "hush"));
    }

    [Fact]
    public void Callback_signed_with_another_secret_or_without_hmac_is_refused()
    {
        Assert.False(ShopifyAppOAuth.IsValidCallback(Documented, "not-hush"));
        Assert.False(ShopifyAppOAuth.IsValidCallback([.. Documented.Where(p => p.Key != "hmac")], "hush"));
        Assert.False(ShopifyAppOAuth.IsValidCallback([.. Documented, new("hmac", Documented[1].Value)], "hush"));
    }

    [Fact]
    public void Authorize_url_asks_the_shop_for_the_scopes_with_the_state_and_our_callback()
    {
        var url = ShopifyAppOAuth.AuthorizeUrl("my-shop.myshopify.com", "app-id", "read_orders", new Uri("https://dash.example.com/api/shopify/callback"), "s t/a");

        Assert.Equal("https://my-shop.myshopify.com/admin/oauth/authorize", url.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("app-id", query["client_id"]);
        Assert.Equal("read_orders", query["scope"]);
        Assert.Equal("https://dash.example.com/api/shopify/callback", query["redirect_uri"]);
        Assert.Equal("s t/a", query["state"]);
    }

    [Fact]
    public void Graphql_topics_are_the_enum_spelling_of_the_rest_topics() =>
        Assert.Equal(new[] { "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE", "APP_UNINSTALLED" },
            ShopifyAppOAuth.WebhookTopics.Select(ShopifyAppInstallClient.GraphQlTopic));

    [Fact]
    public void Checklist_goes_in_order_and_is_complete_only_when_live()
    {
        var fresh = OnboardingSteps.Evaluate("t", new OnboardingFacts(0, null, null, null, null));
        Assert.Equal(new[] { "sign-up" }, fresh.Steps.Where(s => s.Done).Select(s => s.Id));
        Assert.Equal(OnboardingSteps.ConnectChannel, fresh.Next);
        Assert.False(fresh.Complete);

        var chosen = OnboardingSteps.Evaluate("t", new OnboardingFacts(1, ["orders"], "focus", "d1", null));
        Assert.Equal(OnboardingSteps.Live, chosen.Next);
        Assert.False(chosen.Complete);

        var live = OnboardingSteps.Evaluate("t", new OnboardingFacts(1, ["orders"], "focus", "d1", DateTimeOffset.UnixEpoch));
        Assert.Null(live.Next);
        Assert.True(live.Complete);
    }

    [Fact]
    public void Metrics_choice_must_be_known_figures_each_once()
    {
        Assert.Null(OnboardingSteps.CheckMetrics(["orders", "gross-revenue"]));
        Assert.NotNull(OnboardingSteps.CheckMetrics([]));
        Assert.NotNull(OnboardingSteps.CheckMetrics(null));
        Assert.Contains("'visitors'", OnboardingSteps.CheckMetrics(["orders", "visitors"]), StringComparison.Ordinal);
        Assert.NotNull(OnboardingSteps.CheckMetrics(["orders", "orders"]));
    }

    [Fact]
    public void Every_template_makes_a_valid_dashboard_with_a_tile_per_tracked_figure()
    {
        foreach (var template in OnboardingSteps.Templates)
        {
            for (var n = 1; n <= OnboardingSteps.MetricChoices.Count; n++)
            {
                var metrics = OnboardingSteps.MetricChoices.Take(n).ToList();
                var input = OnboardingSteps.Build(template.Id, metrics)!;

                Assert.Empty(DashboardValidation.Validate(input));
                Assert.Equal(metrics, input.Widgets.Where(w => w.Kind == "kpi").Select(w => w.Settings.Metric));
            }
        }

        Assert.Null(OnboardingSteps.Build("nope", ["orders"]));
    }
}
