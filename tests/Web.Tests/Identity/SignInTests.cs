using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Sign-up, sign-in and sign-out with the cookie, as the app's pages use them.</summary>
public sealed class SignInTests(WebAppFactory app) : IClassFixture<WebAppFactory>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static object SignUp(string email, string organisation = "Northwind Traders", string timeZone = "Europe/London", string currency = "GBP") => new
    {
        email,
        password = "Correct-horse-42",
        displayName = "Nancy Davolio",
        organisationName = organisation,
        timeZone,
        reportingCurrency = currency,
    };

    [Fact]
    public async Task Sign_up_creates_the_organisation_with_the_caller_as_owner_and_signs_in()
    {
        var client = app.CreateClient();
        var email = $"nancy-{Guid.NewGuid():N}@northwind.test";

        using var response = await client.PostAsJsonAsync("/api/auth/sign-up", SignUp(email), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("SalesDash.Auth=", StringComparison.Ordinal)
            && c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=lax", StringComparison.OrdinalIgnoreCase));

        var me = (await client.GetFromJsonAsync<MeResponse>("/api/me", Json, Ct))!;
        Assert.Equal((email, "Nancy Davolio"), (me.User.Email, me.User.DisplayName));
        var org = Assert.Single(me.Organisations);
        Assert.StartsWith("northwind-traders", org.Id, StringComparison.Ordinal);
        Assert.Equal(("Northwind Traders", "Owner", "Europe/London", "GBP"), (org.Name, org.Role, org.TimeZone, org.ReportingCurrency));
        Assert.Empty(org.Stores);
    }

    [Fact]
    public async Task Sign_up_with_an_unknown_time_zone_or_currency_is_a_validation_problem_naming_both()
    {
        using var response = await app.CreateClient().PostAsJsonAsync("/api/auth/sign-up",
            SignUp($"x-{Guid.NewGuid():N}@test.test", timeZone: "Mars/Olympus", currency: "XYZ"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("Mars/Olympus", problem.GetProperty("errors").GetProperty("timeZone")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("XYZ", problem.GetProperty("errors").GetProperty("reportingCurrency")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_401_then_the_account_locks_and_the_right_password_signs_in_elsewhere()
    {
        var email = await app.CreateMemberAsync(OrgRole.Viewer, "acme");
        var client = app.CreateClient();

        using var wrong = await client.PostAsJsonAsync("/api/auth/sign-in", new { email, password = "not-the-password" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("The e-mail or password is wrong.", (await wrong.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());

        using var right = await client.PostAsJsonAsync("/api/auth/sign-in", new { email, password = TestUsers.Password }, Ct);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var me = (await right.Content.ReadFromJsonAsync<MeResponse>(Json, Ct))!;
        Assert.Equal(["acme"], me.Organisations.Select(o => o.Id));
        Assert.Equal(["uk-shop", "us-shop"], me.Organisations[0].Stores.Select(s => s.StoreId).Order());

        for (var i = 0; i < 5; i++)
        {
            using var _ = await client.PostAsJsonAsync("/api/auth/sign-in", new { email, password = "wrong" }, Ct);
        }

        using var locked = await client.PostAsJsonAsync("/api/auth/sign-in", new { email, password = TestUsers.Password }, Ct);
        Assert.Equal(HttpStatusCode.Locked, locked.StatusCode);
    }

    [Fact]
    public async Task Without_sign_in_the_api_answers_401_problem_not_a_redirect()
    {
        using var response = await app.CreateClient().GetAsync("/api/stores", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var client = app.CreateSignedInClient(OrgRole.Viewer, "acme");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", Ct)).StatusCode);

        using var signOut = await client.PostAsync("/api/auth/sign-out", null, Ct);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task Store_list_shows_only_the_callers_organisations()
    {
        var acme = await app.CreateSignedInClient(OrgRole.Viewer, "acme").GetFromJsonAsync<StoreRow[]>("/api/stores", Json, Ct);
        var globex = await app.CreateSignedInClient(OrgRole.Viewer, "globex").GetFromJsonAsync<StoreRow[]>("/api/stores", Json, Ct);

        Assert.Equal(["acme/uk-shop", "acme/us-shop"], acme!.Select(s => $"{s.TenantId}/{s.StoreId}").Order());
        Assert.Equal(["globex/shop"], globex!.Select(s => $"{s.TenantId}/{s.StoreId}"));
    }

    private sealed record StoreRow(string TenantId, string StoreId);
}
