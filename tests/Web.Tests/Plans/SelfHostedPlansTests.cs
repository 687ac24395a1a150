using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Plans;

/// <summary>A self-hosted install (Plans:SelfHosted=true): Enterprise for every organisation, nothing to bill.</summary>
public sealed class SelfHostedPlansTests(PlansAndLimitsAppFactory app) : IClassFixture<PlansAndLimitsAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_organisation_is_on_enterprise_with_no_billing_unless_configuration_pins_a_tier()
    {
        var owner = app.CreateSignedInClient(OrgRole.Owner, "acme");

        var plan = await owner.GetFromJsonAsync<PlanView>("/api/tenants/acme/plan", Json, Ct);
        using var checkout = await owner.PostAsJsonAsync("/api/tenants/acme/plan/checkout", new PlanChange("Scale"), Ct);
        var pinned = await app.CreateSignedInClient(OrgRole.Owner, "globex").GetFromJsonAsync<PlanView>("/api/tenants/globex/plan", Json, Ct);

        Assert.Equal(("Enterprise", "SelfHosted", false, null), (plan!.Tier, plan.Source, plan.Billing, plan.Trial));
        Assert.Equal(HttpStatusCode.Conflict, checkout.StatusCode);
        Assert.Equal("Nothing to buy", (await checkout.ProblemAsync(Ct))["title"].GetString());
        Assert.Equal(("Starter", "Configured"), (pinned!.Tier, pinned.Source));
    }
}
