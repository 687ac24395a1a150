using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>Sign-in, sign-up and invitation acceptance are rate limited per client address and per account.</summary>
public sealed class SignInRateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Guessing_one_accounts_password_is_stopped_with_429_and_Retry_After_while_other_accounts_still_answer()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["SignInLimits:PermitsPerAccount"] = "3" } });
        var victim = await app.CreateMemberAsync(OrgRole.Viewer, "acme");
        var other = await app.CreateMemberAsync(OrgRole.Viewer, "acme");
        var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = victim, password = $"guess-{i}" }, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // The same account in other letter case is the same account.
        using var refused = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = victim.ToUpperInvariant(), password = TestUsers.Password }, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("account", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var unaffected = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = other, password = TestUsers.Password }, Ct);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    [Fact]
    public async Task One_address_trying_many_accounts_or_sign_ups_is_stopped_with_429()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["SignInLimits:PermitsPerAddress"] = "4" } });
        var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = $"user{i}-{Guid.NewGuid():N}@spray.test", password = "Winter2026!" }, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var signUp = await client.PostAsJsonAsync("/api/auth/sign-up", SignInTests.SignUp($"new-{Guid.NewGuid():N}@spray.test"), Ct);
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);

        using var refusedSignIn = await client.PostAsJsonAsync("/api/auth/sign-in", new { email = $"late-{Guid.NewGuid():N}@spray.test", password = "x" }, Ct);
        using var refusedSignUp = await client.PostAsJsonAsync("/api/auth/sign-up", SignInTests.SignUp($"late-{Guid.NewGuid():N}@spray.test"), Ct);
        foreach (var refused in new[] { refusedSignIn, refusedSignUp })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Guessing_invitation_links_is_stopped_with_429()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["SignInLimits:PermitsPerAccount"] = "3" } });
        var client = app.CreateSignedInClient(OrgRole.Viewer, "acme");

        for (var i = 0; i < 3; i++)
        {
            using var unknown = await client.PostAsync($"/api/invitations/guess-{i}/accept", null, Ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var refused = await client.PostAsync("/api/invitations/guess-4/accept", null, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
