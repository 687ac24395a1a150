using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// What the framework refuses before a handler runs is answered like the handlers' own refusals: problem+json that says
/// which parameter and what was sent. Run as Production, where the framework would otherwise only log the reason.
/// </summary>
public sealed class BadRequestProblemsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SalesDashHost ProductionHost() =>
        new(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["environment"] = "Production" } });

    [Theory]
    [InlineData("/api/tenants/acme/alerts?limit=abc", "abc")]
    [InlineData("/api/tenants/acme/alerts?limit=99999999999", "99999999999")]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/breakdown?by=product&limit=ten", "ten")]
    public async Task A_query_value_that_is_not_its_type_is_a_problem_that_names_the_parameter_and_the_value(string url, string sent)
    {
        await using var app = ProductionHost();

        using var response = await app.CreateSignedInClient().GetAsync(url, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.Equal($"limit '{sent}' is not a whole number in range.", detail, ignoreCase: true);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_problem_that_says_so()
    {
        await using var app = ProductionHost();

        using var response = await app.CreateSignedInClient().PostAsync("/api/push/subscriptions",
            new StringContent("{\"endpoint\": ", System.Text.Encoding.UTF8, "application/json"), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Equal("Failed to read parameter \"PushSubscriptionRequest request\" from the request body as JSON.", problem.GetProperty("detail").GetString());
    }
}
